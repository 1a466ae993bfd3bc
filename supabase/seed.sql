-- Local development seed. Applied by `npm run db:reset` (and on first start) after the
-- migrations; never by `supabase db push` against a hosted project.
-- Users are created through the token-minting path (npm run token -- <email>), the
-- same way Supabase Auth creates them, so nothing user-shaped is inserted here.
select 1;
