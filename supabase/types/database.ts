export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "audit_events": {
                  Row: {
                    "action": string,"actor_id": string | null,"actor_type": string,"after": Json | null,"before": Json | null,"details": NonNullable<Json>,"hash": string,"id": number,"ip": unknown,"occurred_at": string,"organization_id": string | null,"outcome": string,"prev_hash": string,"request_id": string | null,"target_id": string | null,"target_type": string | null,"user_agent": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "action": string,"actor_id"?: string | null,"actor_type": string,"after"?: Json | null,"before"?: Json | null,"details"?: NonNullable<Json>,"hash": string,"id"?: never,"ip"?: unknown,"occurred_at"?: string,"organization_id"?: string | null,"outcome"?: string,"prev_hash": string,"request_id"?: string | null,"target_id"?: string | null,"target_type"?: string | null,"user_agent"?: string | null
                  }
                  Update: {
                    "action"?: string,"actor_id"?: string | null,"actor_type"?: string,"after"?: Json | null,"before"?: Json | null,"details"?: NonNullable<Json>,"hash"?: string,"id"?: never,"ip"?: unknown,"occurred_at"?: string,"organization_id"?: string | null,"outcome"?: string,"prev_hash"?: string,"request_id"?: string | null,"target_id"?: string | null,"target_type"?: string | null,"user_agent"?: string | null
                  }
                  Relationships: [
                    
                  ]
                },"draft_files": {
                  Row: {
                    "content": string,"created_at": string,"id": string,"name": string,"session_id": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "content"?: string,"created_at"?: string,"id"?: string,"name": string,"session_id": string,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "content"?: string,"created_at"?: string,"id"?: string,"name"?: string,"session_id"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "draft_files_session_id_user_id_fkey"
      columns: ["session_id","user_id"]
isOneToOne: false
      referencedRelation: "research_sessions"
      referencedColumns: ["id","user_id"]
    },{
      foreignKeyName: "draft_files_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"feature_flags": {
                  Row: {
                    "default_value": NonNullable<Json>,"description": string,"key": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "default_value": NonNullable<Json>,"description": string,"key": string,"updated_at"?: string
                  }
                  Update: {
                    "default_value"?: NonNullable<Json>,"description"?: string,"key"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"invitations": {
                  Row: {
                    "accepted_at": string | null,"accepted_by": string | null,"created_at": string,"email": string,"expires_at": string,"id": string,"invited_by": string | null,"organization_id": string,"revoked_at": string | null,"role": string,"role_scope": string,"token_hash": string
                  }
                  ComputedFields: never
                  Insert: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email": string,"expires_at": string,"id"?: string,"invited_by"?: string | null,"organization_id": string,"revoked_at"?: string | null,"role": string,"role_scope"?: string,"token_hash": string
                  }
                  Update: {
                    "accepted_at"?: string | null,"accepted_by"?: string | null,"created_at"?: string,"email"?: string,"expires_at"?: string,"id"?: string,"invited_by"?: string | null,"organization_id"?: string,"revoked_at"?: string | null,"role"?: string,"role_scope"?: string,"token_hash"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "invitations_accepted_by_fkey"
      columns: ["accepted_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "invitations_invited_by_fkey"
      columns: ["invited_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "invitations_organization_id_fkey"
      columns: ["organization_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "invitations_role_scope_role_fkey"
      columns: ["role_scope","role"]
isOneToOne: false
      referencedRelation: "roles"
      referencedColumns: ["scope","name"]
    }
                  ]
                },"memberships": {
                  Row: {
                    "created_at": string,"organization_id": string,"role": string,"role_scope": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"organization_id": string,"role": string,"role_scope"?: string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"organization_id"?: string,"role"?: string,"role_scope"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "memberships_organization_id_fkey"
      columns: ["organization_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "memberships_role_scope_role_fkey"
      columns: ["role_scope","role"]
isOneToOne: false
      referencedRelation: "roles"
      referencedColumns: ["scope","name"]
    },{
      foreignKeyName: "memberships_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"organization_feature_flags": {
                  Row: {
                    "key": string,"organization_id": string,"value": NonNullable<Json>
                  }
                  ComputedFields: never
                  Insert: {
                    "key": string,"organization_id": string,"value": NonNullable<Json>
                  }
                  Update: {
                    "key"?: string,"organization_id"?: string,"value"?: NonNullable<Json>
                  }
                  Relationships: [
                    {
      foreignKeyName: "organization_feature_flags_key_fkey"
      columns: ["key"]
isOneToOne: false
      referencedRelation: "feature_flags"
      referencedColumns: ["key"]
    },{
      foreignKeyName: "organization_feature_flags_organization_id_fkey"
      columns: ["organization_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"organizations": {
                  Row: {
                    "created_at": string,"created_by": string | null,"description": string | null,"id": string,"is_default": boolean,"is_personal": boolean,"name": string,"plan": string,"slug": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_default"?: boolean,"is_personal"?: boolean,"name": string,"plan"?: string,"slug": string,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_default"?: boolean,"is_personal"?: boolean,"name"?: string,"plan"?: string,"slug"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "organizations_created_by_fkey"
      columns: ["created_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"permissions": {
                  Row: {
                    "description": string,"held_by_every_user": boolean,"name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "description": string,"held_by_every_user"?: boolean,"name": string
                  }
                  Update: {
                    "description"?: string,"held_by_every_user"?: boolean,"name"?: string
                  }
                  Relationships: [
                    
                  ]
                },"personal_access_tokens": {
                  Row: {
                    "created_at": string,"expires_at": string,"id": string,"last_used_at": string | null,"name": string,"parent_token_id": string | null,"prefix": string,"revoked_at": string | null,"scopes": (string)[],"token_hash": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"expires_at": string,"id"?: string,"last_used_at"?: string | null,"name": string,"parent_token_id"?: string | null,"prefix": string,"revoked_at"?: string | null,"scopes": (string)[],"token_hash": string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"expires_at"?: string,"id"?: string,"last_used_at"?: string | null,"name"?: string,"parent_token_id"?: string | null,"prefix"?: string,"revoked_at"?: string | null,"scopes"?: (string)[],"token_hash"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "personal_access_tokens_parent_token_id_fkey"
      columns: ["parent_token_id"]
isOneToOne: false
      referencedRelation: "personal_access_tokens"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "personal_access_tokens_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"plan_feature_flags": {
                  Row: {
                    "key": string,"plan": string,"value": NonNullable<Json>
                  }
                  ComputedFields: never
                  Insert: {
                    "key": string,"plan": string,"value": NonNullable<Json>
                  }
                  Update: {
                    "key"?: string,"plan"?: string,"value"?: NonNullable<Json>
                  }
                  Relationships: [
                    {
      foreignKeyName: "plan_feature_flags_key_fkey"
      columns: ["key"]
isOneToOne: false
      referencedRelation: "feature_flags"
      referencedColumns: ["key"]
    }
                  ]
                },"plan_limits": {
                  Row: {
                    "limit_name": string,"max_value": number | null,"plan": string
                  }
                  ComputedFields: never
                  Insert: {
                    "limit_name": string,"max_value"?: number | null,"plan": string
                  }
                  Update: {
                    "limit_name"?: string,"max_value"?: number | null,"plan"?: string
                  }
                  Relationships: [
                    
                  ]
                },"platform_role_assignments": {
                  Row: {
                    "created_at": string,"granted_by": string | null,"role": string,"role_scope": string,"source": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"granted_by"?: string | null,"role": string,"role_scope"?: string,"source": string,"user_id": string
                  }
                  Update: {
                    "created_at"?: string,"granted_by"?: string | null,"role"?: string,"role_scope"?: string,"source"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "platform_role_assignments_granted_by_fkey"
      columns: ["granted_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "platform_role_assignments_role_scope_role_fkey"
      columns: ["role_scope","role"]
isOneToOne: false
      referencedRelation: "roles"
      referencedColumns: ["scope","name"]
    },{
      foreignKeyName: "platform_role_assignments_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"profiles": {
                  Row: {
                    "auth_user_id": string | null,"avatar_url": string | null,"beta_features": NonNullable<Json>,"company_name": string | null,"created_at": string,"disabled_at": string | null,"display_name": string | null,"email": string | null,"email_verified": boolean,"id": string,"identity_provider": string,"identity_sub": string,"last_login_at": string | null,"onboarding_completed": boolean,"plan": string,"provisioned_at": string | null,"timezone": string | null,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "auth_user_id"?: string | null,"avatar_url"?: string | null,"beta_features"?: NonNullable<Json>,"company_name"?: string | null,"created_at"?: string,"disabled_at"?: string | null,"display_name"?: string | null,"email"?: string | null,"email_verified"?: boolean,"id"?: string,"identity_provider": string,"identity_sub": string,"last_login_at"?: string | null,"onboarding_completed"?: boolean,"plan"?: string,"provisioned_at"?: string | null,"timezone"?: string | null,"updated_at"?: string
                  }
                  Update: {
                    "auth_user_id"?: string | null,"avatar_url"?: string | null,"beta_features"?: NonNullable<Json>,"company_name"?: string | null,"created_at"?: string,"disabled_at"?: string | null,"display_name"?: string | null,"email"?: string | null,"email_verified"?: boolean,"id"?: string,"identity_provider"?: string,"identity_sub"?: string,"last_login_at"?: string | null,"onboarding_completed"?: boolean,"plan"?: string,"provisioned_at"?: string | null,"timezone"?: string | null,"updated_at"?: string
                  }
                  Relationships: [
                    
                  ]
                },"projects": {
                  Row: {
                    "created_at": string,"created_by": string | null,"description": string | null,"id": string,"is_starter": boolean,"name": string,"organization_id": string,"updated_at": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_starter"?: boolean,"name": string,"organization_id": string,"updated_at"?: string
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"description"?: string | null,"id"?: string,"is_starter"?: boolean,"name"?: string,"organization_id"?: string,"updated_at"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "projects_created_by_fkey"
      columns: ["created_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "projects_organization_id_fkey"
      columns: ["organization_id"]
isOneToOne: false
      referencedRelation: "organizations"
      referencedColumns: ["id"]
    }
                  ]
                },"research_sessions": {
                  Row: {
                    "created_at": string,"id": string,"status": string,"title": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"id"?: string,"status"?: string,"title": string,"updated_at"?: string,"user_id"?: string
                  }
                  Update: {
                    "created_at"?: string,"id"?: string,"status"?: string,"title"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "research_sessions_user_id_fkey"
      columns: ["user_id"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"role_overrides": {
                  Row: {
                    "paused": boolean,"preserved": (string)[],"suppressed": (string)[],"updated_at": string,"updated_by": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "paused"?: boolean,"preserved"?: (string)[],"suppressed"?: (string)[],"updated_at"?: string,"updated_by"?: string | null,"user_id": string
                  }
                  Update: {
                    "paused"?: boolean,"preserved"?: (string)[],"suppressed"?: (string)[],"updated_at"?: string,"updated_by"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "role_overrides_updated_by_fkey"
      columns: ["updated_by"]
isOneToOne: false
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    },{
      foreignKeyName: "role_overrides_user_id_fkey"
      columns: ["user_id"]
isOneToOne: true
      referencedRelation: "profiles"
      referencedColumns: ["id"]
    }
                  ]
                },"role_permissions": {
                  Row: {
                    "permission": string,"role": string,"scope": string
                  }
                  ComputedFields: never
                  Insert: {
                    "permission": string,"role": string,"scope": string
                  }
                  Update: {
                    "permission"?: string,"role"?: string,"scope"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "role_permissions_permission_fkey"
      columns: ["permission"]
isOneToOne: false
      referencedRelation: "permissions"
      referencedColumns: ["name"]
    },{
      foreignKeyName: "role_permissions_scope_role_fkey"
      columns: ["scope","role"]
isOneToOne: false
      referencedRelation: "roles"
      referencedColumns: ["scope","name"]
    }
                  ]
                },"roles": {
                  Row: {
                    "description": string,"name": string,"rank": number,"scope": string
                  }
                  ComputedFields: never
                  Insert: {
                    "description": string,"name": string,"rank": number,"scope": string
                  }
                  Update: {
                    "description"?: string,"name"?: string,"rank"?: number,"scope"?: string
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "accept_invitation":
{ Args: { "token": string }; Returns: Json
                           },
"add_member":
{ Args: { "email"?: string,"organization_id": string,"role"?: string,"user_id"?: string }; Returns: Json
                           },
"admin_get_organization":
{ Args: { "organization_id": string }; Returns: Json
                           },
"admin_get_user":
{ Args: { "user_id": string }; Returns: Json
                           },
"admin_list_organizations":
{ Args: { "after_created_at"?: string,"after_id"?: string,"page_size"?: number,"q"?: string }; Returns: Json
                           },
"admin_list_users":
{ Args: { "after_created_at"?: string,"after_id"?: string,"organization_id"?: string,"page_size"?: number,"platform_role"?: string,"provider"?: string,"q"?: string,"status"?: string }; Returns: Json
                           },
"admin_update_user":
{ Args: { "changes": Json,"user_id": string }; Returns: Json
                           },
"begin_user_creation":
{ Args: { "email": string,"organization_id"?: string,"role"?: string }; Returns: Json
                           },
"change_member_role":
{ Args: { "organization_id": string,"role": string,"user_id": string }; Returns: Json
                           },
"clear_role_overrides":
{ Args: { "user_id": string }; Returns: Json
                           },
"create_invitation":
{ Args: { "email": string,"organization_id": string,"role"?: string }; Returns: Json
                           },
"create_organization":
{ Args: { "description"?: string,"name": string,"slug"?: string }; Returns: Json
                           },
"create_personal_access_token":
{ Args: { "expires_in_days": number,"name": string,"scopes": (string)[] }; Returns: Json
                           },
"database_status":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"delete_organization":
{ Args: { "organization_id": string }; Returns: Json
                           },
"delete_user":
{ Args: { "user_id": string }; Returns: Json
                           },
"ensure_default_organization":
{ Args: { "name"?: string,"slug"?: string }; Returns: Json
                           },
"ensure_default_organization_membership":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"ensure_provisioned":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"get_profile":
{ Args: { "user_id": string }; Returns: Json
                           },
"get_role_overrides":
{ Args: { "user_id": string }; Returns: Json
                           },
"grant_platform_role":
{ Args: { "role": string,"user_id": string }; Returns: Json
                           },
"has_permission":
{ Args: { "organization_id"?: string,"permission": string }; Returns: boolean
                           },
"leave_organization":
{ Args: { "organization_id": string }; Returns: Json
                           },
"list_audit_events":
{ Args: { "action"?: string,"actor_id"?: string,"cursor"?: number,"organization_id"?: string,"page_size"?: number,"since"?: string,"target_id"?: string,"target_type"?: string,"until"?: string }; Returns: Json
                           },
"list_invitations":
{ Args: { "organization_id": string }; Returns: Json
                           },
"list_my_invitations":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"list_personal_access_tokens":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"list_provisioning_failures":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"me":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"metrics":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"protect_table":
{ Args: { "column_name"?: string,"read_permission"?: string,"scope"?: string,"target": unknown,"write_permission"?: string }; Returns: Json
                           },
"quota_usage":
{ Args: { "organization_id"?: string }; Returns: Json
                           },
"remove_member":
{ Args: { "organization_id": string,"user_id": string }; Returns: Json
                           },
"resolve_flags":
{ Args: { "organization_id"?: string }; Returns: Json
                           },
"resolve_roles_for_groups":
{ Args: { "groups": (string)[] }; Returns: (string)[]
                           },
"revoke_invitation":
{ Args: { "invitation_id": string,"organization_id"?: string }; Returns: Json
                           },
"revoke_personal_access_token":
{ Args: { "token_id": string }; Returns: Json
                           },
"revoke_platform_role":
{ Args: { "role": string,"user_id": string }; Returns: Json
                           },
"rls_report":
{ Args: Record<PropertyKey, never>; Returns: Json
                           },
"set_flag_default":
{ Args: { "default_value": Json,"description"?: string,"key": string }; Returns: Json
                           },
"set_organization_flag":
{ Args: { "key": string,"organization_id": string,"value": Json }; Returns: Json
                           },
"set_plan_flag":
{ Args: { "key": string,"plan": string,"value": Json }; Returns: Json
                           },
"set_role_overrides":
{ Args: { "paused"?: boolean,"preserved"?: (string)[],"suppressed"?: (string)[],"user_id": string }; Returns: Json
                           },
"set_user_disabled":
{ Args: { "disabled": boolean,"user_id": string }; Returns: Json
                           },
"set_user_flag":
{ Args: { "key": string,"user_id": string,"value": Json }; Returns: Json
                           },
"transfer_ownership":
{ Args: { "new_owner_id": string,"organization_id": string }; Returns: Json
                           },
"update_my_profile":
{ Args: { "changes": Json }; Returns: Json
                           },
"update_organization":
{ Args: { "description"?: string,"name"?: string,"organization_id": string,"slug"?: string }; Returns: Json
                           },
"verify_audit_chain":
{ Args: { "expected_head_hash"?: string,"expected_head_id"?: number }; Returns: Json
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            
          }
        }
} as const
