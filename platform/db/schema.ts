// The platform's tables, as Kysely sees them. Portable between SQLite and PostgreSQL:
// dates are UTC ISO 8601 text (they sort as text; executions.created_ms is epoch ms), booleans are 0/1 integers,
// lists are JSON text, ids are random UUID text.
import type { Generated } from 'kysely';

export interface SettingsTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'member';
  password_hash: string | null;
  sdk_token_hash: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  password_change_required: Generated<number>;
  /** When a generated one-time password stops working; null for a password the user chose. */
  password_expires_at: Generated<string | null>;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  /** 'password' (sign-in) or 'sdk' (exchanged for an SDK token). */
  kind: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ProjectsTable {
  id: string;
  name: string;
  python_version: string;
  repository_url: string;
  default_branch: string;
  folders: string; // JSON array
  requirements_path: string;
  system_dependencies: string; // JSON array
  deploy_key_encrypted: string;
  deploy_key_public: string;
  deploy_key_fingerprint: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface MembersTable {
  project_id: string;
  user_id: string;
  role: 'owner' | 'editor' | 'viewer';
  created_at: string;
}

export interface ProjectHistoryTable {
  id: Generated<number>;
  project_id: string;
  changed_at: string;
  changed_by: string;
  /** JSON: [{field, from?, to?}] — never a key. */
  changes: string;
}

export interface SignInAttemptsTable {
  key: string; // 'account:<email>' | 'address:<ip>'
  /** Guesses counted since the key was last forgotten (a quiet period, or a right guess for an account). */
  guesses: number;
  last_guess_at: string;
  /** No guess is counted (nor checked) before this. */
  next_guess_at: string;
}

export interface PasswordResetsTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface AccessRequestsTable {
  id: string;
  email: string;
  name: string;
  status: 'pending' | 'approved' | 'declined';
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface ChangesTable {
  id: Generated<number>;
  resource: string; // 'project' | 'environment' | 'deployment' | 'execution' | 'user' | 'member'
  key: string;
  project_id: string | null;
  environment_id: string | null;
  op: 'upsert' | 'delete';
  audience: string | null;
  at: string;
}

export interface EnvironmentsTable {
  id: string;
  project_id: string;
  name: string;
  slug: string;
  status: 'creating' | 'ready' | 'standby' | 'failed';
  default_branch: string | null;
  folders: string | null; // JSON
  requirements_path: string | null;
  system_dependencies: string | null; // JSON
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface DeploymentsTable {
  id: string;
  environment_id: string;
  name: string;
  pipeline_name: string;
  type: 'endpoint' | 'periodic';
  enabled: number;
  status: 'creating' | 'up' | 'down' | 'failed';
  schedule: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
  /** Who last changed it (null only on rows older than migration 0006 that it could not tell). */
  updated_by: string | null;
}

export interface ExecutionsTable {
  id: Generated<number>;
  execution_id: string;
  /** environments.seq (the API names environments by their UUID; rows and indexes carry this small integer). */
  environment_seq: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** created_at in epoch milliseconds: the list's order and date filters (the document holds the ISO text). */
  created_ms: number;
  /** users.seq of the creator (null only for a creator unknown to users). */
  creator_seq: number | null;
  /** end_date in epoch milliseconds, null while it runs. */
  end_ms: number | null;
  pipeline_name: string;
  deployment_name: string | null;
  change_seq: number;
  /** The steps' common source, kept once (execution_step_sources), or null. */
  step_source_id: number | null;
  /** The document's fields before "steps" as text, only where the columns cannot give them (else null). */
  head: string | null;
  /**
   * The execution's steps, inputs and outputs (in the SDK's shape, domain/execution.ts), compacted, rewritten
   * on every change: their one copy. The database rebuilds the API's JSON (execution-doc.ts).
   */
  doc: string;
}

/** Where steps' code comes from (the JSON text of the five source keys), each distinct one once. */
export interface ExecutionStepSourcesTable {
  id: Generated<number>;
  source: string;
}

/** A small integer per row, for the executions table and its indexes (migration 0011). */
export interface RowSeq {
  seq: Generated<number>;
}

export interface ExecutionLogsTable {
  id: Generated<number>;
  execution_seq: number;
  timestamp: string;
  message: string;
}

export interface Database {
  environments: EnvironmentsTable & RowSeq;
  deployments: DeploymentsTable;
  executions: ExecutionsTable;
  execution_logs: ExecutionLogsTable;
  execution_step_sources: ExecutionStepSourcesTable;
  changes: ChangesTable;
  settings: SettingsTable;
  users: UsersTable & RowSeq;
  sessions: SessionsTable;
  projects: ProjectsTable;
  members: MembersTable;
  project_history: ProjectHistoryTable;
  sign_in_attempts: SignInAttemptsTable;
  password_resets: PasswordResetsTable;
  access_requests: AccessRequestsTable;
}
