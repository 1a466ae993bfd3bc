-- An organization keeps its last owner whatever removes the membership (SPEC F4, issue
-- 11 review): Supabase Auth deleting the user, a cascade, a direct write. The check runs
-- at commit; these tests make it immediate to see it inside their transaction.
begin;
\ir _helpers.psql
\ir _fixture.psql
set constraints memberships_keep_last_owner immediate;

select plan(5);

select throws_ok($$ delete from auth.users where id = pg_temp.actor_id('outsider') $$, '55000',
  'organization "globex" would be left without an owner; transfer ownership first',
  'Supabase Auth cannot delete the last owner of an organization');
select throws_ok($$ update public.memberships set role = 'admin' where user_id = pg_temp.actor_id('owner_a') $$, '55000', null,
  'nor can a direct write demote them');
select lives_ok($$ delete from auth.users where id = pg_temp.actor_id('member_a') $$, 'a member who is no owner is deleted');
insert into public.memberships (organization_id, user_id, role) values ('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'), 'owner')
on conflict (organization_id, user_id) do update set role = 'owner';
select lives_ok($$ delete from auth.users where id = pg_temp.actor_id('owner_a') $$, 'an owner is deleted while another owner remains');
select lives_ok($$ delete from public.organizations where id = 'b0000000-0000-4000-8000-00000000000b';
                   delete from auth.users where id = pg_temp.actor_id('outsider') $$,
  'the last owner goes with an organization deleted in the same transaction');

select * from finish();
rollback;
