// Versioned migrations, provided in code so the platform needs no migration folder at run time.
// Never edit a migration once committed: add the next one. Each works on SQLite and PostgreSQL.
// A migration never calls live application code (it would change whenever that code does): what it
// needs is written here, frozen, and only kysely is imported (migrations.test.ts checks it).
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { Dialect } from './database.js';

/** An auto-incremented integer primary key in either dialect. */
export function serialColumn(db: Kysely<any>, dialect: Dialect, table: string) {
  const builder = db.schema.createTable(table);
  return dialect === 'postgres'
    ? builder.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

// ——— what the migrations need, inlined: a migration never calls live application code ———

interface ExecutionDocRow {
  execution_id: string;
  status: string;
  created_at: string;
  created_by: string;
  end_date: string | null;
  pipeline_name: string;
  deployment_name: string | null;
}

/** An execution's API JSON as 0005 and 0009 write it (its JSON parts already encoded). */
function executionDocText(row: ExecutionDocRow, steps: string, inputs: string, outputs: string): string {
  const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
  return (
    `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},` +
    `"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},"deployment_name":${text(row.deployment_name)},` +
    `"steps":${steps},"inputs":${inputs},"outputs":${outputs}}`
  );
}

const SDK_DATA_TYPES = new Set(['string', 'number', 'boolean', 'json', 'array', 'file']);
const DATA_TYPE_ALIASES: Record<string, string> = { int: 'number', integer: 'number', float: 'number', double: 'number', bool: 'boolean', str: 'string', text: 'string', dict: 'json', object: 'json', list: 'array' };

/** 0009: an input or output {name, data_type?, value?} in the SDK's shape {pipeline_*_name, data_type, mapping_type, mapping_value, value}. */
function sdkIo(item: Record<string, unknown>, nameKey: 'pipeline_input_name' | 'pipeline_output_name'): Record<string, unknown> {
  if (typeof item[nameKey] === 'string') return item; // already in the new shape
  const value = item.value;
  const given = typeof item.data_type === 'string' ? item.data_type.toLowerCase() : '';
  const dataType = SDK_DATA_TYPES.has(given)
    ? given
    : (DATA_TYPE_ALIASES[given] ??
      (typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : Array.isArray(value) ? 'array' : 'json'));
  // Recorded by a runner with the run's own values: the SDK's "run" mapping, nothing to name.
  return { [nameKey]: String(item.name ?? ''), data_type: dataType, mapping_type: 'run', mapping_value: {}, ...(value === undefined ? {} : { value }) };
}

/** 0009: a step {name, status, start_date, end_date} with where its code came from (unknown for old ones). */
function sdkStep(step: Record<string, unknown>): Record<string, unknown> {
  return { commit_id: null, repository_url: null, repository_branch: null, requirements_path: null, origin: null, ...step };
}

/** 0011: the stored form of an execution (a frozen copy of execution-doc.ts storedExecutionDoc), from its document as 0010 stores it. */
function storedDoc0011(full: string, creatorKnown: boolean): { doc: string; source: string | null; head: string | null; created_ms: number; end_ms: number | null } {
  const text = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));
  const row = JSON.parse(full) as { execution_id: string; status: string; created_at: string; created_by: string; end_date: string | null; pipeline_name: string; deployment_name: string | null; steps: Record<string, unknown>[]; inputs: unknown; outputs: unknown };
  const created_ms = Date.parse(row.created_at);
  const end_ms = row.end_date === null ? null : Date.parse(row.end_date);
  const head =
    `{"execution_id":${text(row.execution_id)},"status":${text(row.status)},"created_at":${text(row.created_at)},"created_by":${text(row.created_by)},` +
    `"end_date":${text(row.end_date)},"pipeline_name":${text(row.pipeline_name)},"deployment_name":${text(row.deployment_name)},`;
  const body = (steps: string[]) => `"steps":[${steps.join(',')}],"inputs":${JSON.stringify(row.inputs)},"outputs":${JSON.stringify(row.outputs)}}`;
  // A document this copy would not write again byte for byte (fields of another version) is kept whole, as its head.
  if (head + body(row.steps.map((step) => JSON.stringify(step))) !== full) return { doc: '', source: null, head: full, created_ms, end_ms };
  const plain = (value: string | null) => value === null || text(value) === `"${value}"`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const fromColumns =
    creatorKnown && plain(row.execution_id) && plain(row.status) && plain(row.pipeline_name) && plain(row.deployment_name) && plain(row.created_by) &&
    iso(created_ms) === row.created_at && (end_ms === null || iso(end_ms) === row.end_date);
  const first = row.steps[0];
  const source = first ? `,${JSON.stringify(Object.fromEntries(['commit_id', 'repository_url', 'repository_branch', 'requirements_path', 'origin'].map((key) => [key, first[key]]))).slice(1, -1)}` : null;
  let marked = false;
  const steps = row.steps.map((step) => {
    const json = JSON.stringify(step);
    if (source === null || !json.endsWith(`${source}}`)) return json;
    marked = true;
    return `${json.slice(0, -(source.length + 1))}\u0002}`;
  });
  let doc = body(steps);
  for (const [mark, fragment] of DICTIONARY_0011) doc = doc.replaceAll(fragment, mark);
  return { doc, source: marked ? source : null, head: fromColumns ? null : head, created_ms, end_ms };
}

/** 0013: what a stored execution also writes as one character, after DICTIONARY_0011 (execution-doc.ts holds the same list). */
const FRAGMENTS_0013: readonly (readonly [string, string])[] = [
  ['\u0003', '{"pipeline_output_name":"'],
  ['\u0004', '","data_type":"'],
  ['\u0006', '],"outputs":['],
  ['\u0008', '],"inputs":['],
  ['\u000e', '","status":"'],
  ['\u0010', ',"end_date":'],
  ['\u0011', '"steps":['],
  ['\u0012', '{"name":"'],
  ['\u0013', ',"value":'],
];

/** 0011: what a stored execution writes as one character (execution-doc.ts holds the same list). */
const DICTIONARY_0011: readonly (readonly [string, string])[] = [
  ['\u0005', '","start_date":'],
  ['\u0007', '{"pipeline_input_name":"'],
  ['\u000f', '","mapping_type":"run","mapping_value":{}'],
];

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_foundation': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('sdk_token_hash', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('deleted_at', 'text')
          .execute();
        // One live account per email; deleted accounts keep theirs for history.
        await sql`CREATE UNIQUE INDEX users_email_live ON users (email) WHERE deleted_at IS NULL`.execute(db);
        await db.schema.createIndex('users_sdk_token_hash').unique().on('users').column('sdk_token_hash').execute();

        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('revoked_at', 'text')
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id', 'kind']).execute();

        await db.schema
          .createTable('projects')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('python_version', 'text', (c) => c.notNull())
          .addColumn('repository_url', 'text', (c) => c.notNull())
          .addColumn('default_branch', 'text', (c) => c.notNull())
          .addColumn('folders', 'text', (c) => c.notNull())
          .addColumn('requirements_path', 'text', (c) => c.notNull())
          .addColumn('system_dependencies', 'text', (c) => c.notNull())
          .addColumn('deploy_key_encrypted', 'text', (c) => c.notNull())
          .addColumn('deploy_key_public', 'text', (c) => c.notNull())
          .addColumn('deploy_key_fingerprint', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('members')
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('members_pk', ['project_id', 'user_id'])
          .execute();
        await db.schema.createIndex('members_user').on('members').column('user_id').execute();

        await serialColumn(db, dialect, 'project_history')
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('changed_at', 'text', (c) => c.notNull())
          .addColumn('changed_by', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('changes', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('project_history_project').on('project_history').columns(['project_id', 'id']).execute();

        await db.schema
          .createTable('login_failures')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('first_failure_at', 'text', (c) => c.notNull())
          .addColumn('locked_until', 'text')
          .execute();

        await db.schema
          .createTable('password_resets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('code_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('used_at', 'text')
          .execute();

        await db.schema
          .createTable('access_requests')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('decided_at', 'text')
          .addColumn('decided_by', 'text')
          .execute();
        await sql`CREATE UNIQUE INDEX access_requests_pending ON access_requests (email) WHERE status = 'pending'`.execute(db);
      },
    },
    '0002_password_change_required': {
      async up(db: Kysely<any>) {
        // Set for a generated one-time password: the user must choose a new one after signing in.
        await db.schema.alterTable('users').addColumn('password_change_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    '0003_changes_feed': {
      async up(db: Kysely<any>) {
        // One row per write: its id is the cursor of the incremental feeds (GET …?since=cursor).
        await serialColumn(db, dialect, 'changes')
          .addColumn('resource', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('project_id', 'text')
          .addColumn('environment_id', 'text')
          .addColumn('op', 'text', (c) => c.notNull())
          /** For deletions: JSON list of the user ids who could see the resource (members then). */
          .addColumn('audience', 'text')
          .addColumn('at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('changes_resource').on('changes').columns(['resource', 'id']).execute();
      },
    },
    '0004_environments_deployments_executions': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('environments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('project_id', 'text', (c) => c.notNull().references('projects.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('slug', 'text', (c) => c.notNull().unique())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('default_branch', 'text')
          .addColumn('folders', 'text')
          .addColumn('requirements_path', 'text')
          .addColumn('system_dependencies', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('environments_project_name', ['project_id', 'name'])
          .execute();

        await db.schema
          .createTable('deployments')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('pipeline_name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('schedule', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('deployments_environment_name', ['environment_id', 'name'])
          .execute();

        await serialColumn(db, dialect, 'executions')
          .addColumn('execution_id', 'text', (c) => c.notNull().unique())
          .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id').onDelete('cascade'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('end_date', 'text')
          .addColumn('pipeline_name', 'text', (c) => c.notNull())
          .addColumn('deployment_name', 'text')
          .addColumn('steps', 'text', (c) => c.notNull())
          .addColumn('inputs', 'text', (c) => c.notNull())
          .addColumn('outputs', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('change_seq', 'bigint', (c) => c.notNull())
          .execute();
        for (const [name, columns] of [
          ['executions_env', ['environment_id', 'id']],
          ['executions_env_status', ['environment_id', 'status', 'id']],
          ['executions_env_pipeline', ['environment_id', 'pipeline_name', 'id']],
          ['executions_env_deployment', ['environment_id', 'deployment_name', 'id']],
          ['executions_env_creator', ['environment_id', 'created_by', 'id']],
          ['executions_env_change', ['environment_id', 'change_seq']],
        ] as const) {
          await db.schema.createIndex(name).on('executions').columns([...columns]).execute();
        }

        await serialColumn(db, dialect, 'execution_logs')
          .addColumn('execution_seq', 'bigint', (c) => c.notNull().references('executions.id').onDelete('cascade'))
          .addColumn('timestamp', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('execution_logs_execution').on('execution_logs').columns(['execution_seq', 'timestamp', 'id']).execute();
      },
    },
    '0005_executions_doc_and_pipeline_status_index': {
      async up(db: Kysely<any>) {
        // The list filtered by pipeline and status (the desktop's most common filter) as one index range.
        await db.schema.createIndex('executions_env_pipeline_status').on('executions').columns(['environment_id', 'pipeline_name', 'status', 'id']).execute();
        // Each execution's API JSON, kept with the row, so a page is read as 100 strings and sent without re-encoding.
        await db.schema.alterTable('executions').addColumn('doc', 'text', (c) => c.notNull().defaultTo('')).execute();
        for (let after = 0; ; ) {
          const rows = await db.selectFrom('executions').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute();
          if (rows.length === 0) break;
          for (const row of rows) await db.updateTable('executions').set({ doc: executionDocText(row as ExecutionDocRow, row.steps, row.inputs, row.outputs) }).where('id', '=', row.id).execute();
          after = Number(rows[rows.length - 1]!.id);
        }
      },
    },
    '0006_sign_in_attempts': {
      async up(db: Kysely<any>) {
        // Guesses are counted before they are checked, with the time the next one is allowed (a growing wait, no lock).
        await db.schema
          .createTable('sign_in_attempts')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('guesses', 'integer', (c) => c.notNull())
          .addColumn('last_guess_at', 'text', (c) => c.notNull())
          .addColumn('next_guess_at', 'text', (c) => c.notNull())
          .execute();
        // The lock-outs it held end with it.
        await db.schema.dropTable('login_failures').execute();
      },
    },
    '0007_no_signing_secret_in_the_database': {
      async up(db: Kysely<any>) {
        // The JWT signing key is now derived from the master key: a copy of the database must forge
        // no token, so the secret it held goes (tokens signed with it are refused from now on).
        await db.deleteFrom('settings').where('key', '=', 'jwt_secret').execute();
      },
    },
    '0008_one_time_password_expiry': {
      async up(db: Kysely<any>) {
        // A generated one-time password stops working after this (null: the password does not expire).
        await db.schema.alterTable('users').addColumn('password_expires_at', 'text').execute();
      },
    },
    '0009_sdk_execution_shapes': {
      async up(db: Kysely<any>) {
        // Steps, inputs and outputs take the Python SDK's shape (get_pipeline_execution reads
        // pipeline_input_name, mapping_type, mapping_value…) and are stored once, in doc.
        for (let after = 0; ; ) {
          const rows = await db.selectFrom('executions').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute();
          if (rows.length === 0) break;
          for (const row of rows) {
            const steps = (JSON.parse(row.steps) as Record<string, unknown>[]).map(sdkStep);
            const inputs = (JSON.parse(row.inputs) as Record<string, unknown>[]).map((item) => sdkIo(item, 'pipeline_input_name'));
            const outputs = (JSON.parse(row.outputs) as Record<string, unknown>[]).map((item) => sdkIo(item, 'pipeline_output_name'));
            const doc = executionDocText(row as ExecutionDocRow, JSON.stringify(steps), JSON.stringify(inputs), JSON.stringify(outputs));
            await db.updateTable('executions').set({ doc }).where('id', '=', row.id).execute();
          }
          after = Number(rows[rows.length - 1]!.id);
        }
        for (const column of ['steps', 'inputs', 'outputs']) await db.schema.alterTable('executions').dropColumn(column).execute();
        // Deployments say who changed them last (the SDK's updated_by); until now, their creator.
        await db.schema.alterTable('deployments').addColumn('updated_by', 'text').execute();
        await db.updateTable('deployments').set((eb) => ({ updated_by: eb.ref('created_by') })).execute();
      },
    },
    '0010_executions_list_indexes': {
      async up(db: Kysely<any>) {
        // Every filter combination of the list read through one index holding all its filters: each index
        // leads with one equality filter then id (the page order), and carries the other filters after, so a
        // combination it does not lead with is checked in the index, never on table rows read and thrown away.
        // The lone (environment_id, id) index goes: a date range alone needs created_at beside id.
        for (const name of ['executions_env', 'executions_env_status', 'executions_env_pipeline', 'executions_env_deployment', 'executions_env_creator', 'executions_env_pipeline_status', 'executions_env_change']) {
          await db.schema.dropIndex(name).execute();
        }
        for (const [name, columns] of [
          ['executions_list', ['environment_id', 'id', 'created_at']],
          ['executions_list_status', ['environment_id', 'status', 'id', 'pipeline_name', 'deployment_name', 'created_by', 'created_at']],
          ['executions_list_pipeline', ['environment_id', 'pipeline_name', 'id', 'status', 'deployment_name', 'created_by', 'created_at']],
          ['executions_list_deployment', ['environment_id', 'deployment_name', 'id', 'status', 'pipeline_name', 'created_by', 'created_at']],
          ['executions_list_creator', ['environment_id', 'created_by', 'id', 'status', 'pipeline_name', 'deployment_name', 'created_at']],
          // The incremental feed (since), with the same filters.
          ['executions_changes', ['environment_id', 'change_seq', 'status', 'pipeline_name', 'deployment_name', 'created_by', 'created_at']],
        ] as const) {
          await db.schema.createIndex(name).on('executions').columns([...columns]).execute();
        }
      },
    },
    '0011_compact_executions': {
      async up(db: Kysely<any>) {
        // About 1 KB per execution instead of 2.4: environments and users get a small integer (seq) that
        // rows and indexes carry instead of 37-byte UUIDs; dates are epoch ms (created_ms, end_ms; updated_at
        // goes); the document keeps only steps, inputs and outputs, compacted (storedDoc0011), the rest coming
        // from the columns; the steps' common source is kept once, in execution_step_sources. The list is
        // ordered by (created_ms, id): a date range is an index range.
        for (const table of ['environments', 'users']) {
          if (dialect === 'postgres') {
            await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN seq serial`.execute(db);
            await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.raw(`${table}_seq`)} UNIQUE (seq)`.execute(db);
          } else {
            // A new row gets the next number (its writers need not know the column).
            await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN seq integer`.execute(db);
            await sql`UPDATE ${sql.table(table)} SET seq = rowid`.execute(db);
            await sql`CREATE UNIQUE INDEX ${sql.raw(`${table}_seq`)} ON ${sql.table(table)} (seq)`.execute(db);
            await sql`CREATE TRIGGER ${sql.raw(`${table}_seq_new`)} AFTER INSERT ON ${sql.table(table)} FOR EACH ROW WHEN NEW.seq IS NULL
              BEGIN UPDATE ${sql.table(table)} SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM ${sql.table(table)}) WHERE rowid = NEW.rowid; END`.execute(db);
          }
        }
        await serialColumn(db, dialect, 'execution_step_sources').addColumn('source', 'text', (c) => c.notNull().unique()).execute();

        const environments = new Map((await db.selectFrom('environments').select(['id', 'seq']).execute()).map((r) => [r.id as string, Number(r.seq)]));
        const users = new Map((await db.selectFrom('users').select(['id', 'seq']).execute()).map((r) => [r.id as string, Number(r.seq)]));
        const sources = new Map<string, number>();
        const sourceId = async (source: string | null) => {
          if (source === null) return null;
          let id = sources.get(source);
          if (id === undefined) {
            id = Number((await db.insertInto('execution_step_sources').values({ source }).returning('id').executeTakeFirstOrThrow()).id);
            sources.set(source, id);
          }
          return id;
        };
        const compact = async (row: Record<string, any>) => {
          const creator = users.get(row.created_by) ?? null;
          const stored = storedDoc0011(row.doc, creator !== null);
          return {
            environment_seq: environments.get(row.environment_id)!,
            created_ms: stored.created_ms,
            end_ms: stored.end_ms,
            creator_seq: creator,
            step_source_id: await sourceId(stored.source),
            head: stored.head,
            doc: stored.doc,
          };
        };
        for (const name of ['executions_list', 'executions_list_status', 'executions_list_pipeline', 'executions_list_deployment', 'executions_list_creator', 'executions_changes']) {
          await db.schema.dropIndex(name).execute();
        }
        if (dialect === 'postgres') {
          // In place (DDL is transactional here).
          // Row numbers as 4-byte integers (bigint is 8 in every row and index entry).
          for (const column of ['environment_seq', 'creator_seq']) await db.schema.alterTable('executions').addColumn(column, 'integer').execute();
          for (const column of ['created_ms', 'end_ms', 'step_source_id']) await db.schema.alterTable('executions').addColumn(column, 'bigint').execute();
          await db.schema.alterTable('executions').addColumn('head', 'text').execute();
          for (let after = 0; ; ) {
            const rows = await db.selectFrom('executions').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute();
            if (rows.length === 0) break;
            for (const row of rows) await db.updateTable('executions').set(await compact(row)).where('id', '=', row.id).execute();
            after = Number(rows[rows.length - 1]!.id);
          }
          for (const column of ['environment_id', 'created_at', 'created_by', 'end_date', 'updated_at']) await db.schema.alterTable('executions').dropColumn(column).execute();
          for (const column of ['environment_seq', 'created_ms']) await db.schema.alterTable('executions').alterColumn(column, (c) => c.setNotNull()).execute();
          await sql`ALTER TABLE executions ADD CONSTRAINT executions_environment FOREIGN KEY (environment_seq) REFERENCES environments (seq) ON DELETE CASCADE`.execute(db);
          await sql`ALTER TABLE executions ADD CONSTRAINT executions_step_source FOREIGN KEY (step_source_id) REFERENCES execution_step_sources (id)`.execute(db);
        } else {
          // SQLite drops no column a foreign key uses: the table is rebuilt, foreign keys off meanwhile (no
          // cascade into execution_logs when the old table goes; they point at the new one by name).
          await sql`PRAGMA foreign_keys = OFF`.execute(db);
          await db.schema
            .createTable('executions_0011')
            .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
            .addColumn('execution_id', 'text', (c) => c.notNull().unique())
            .addColumn('environment_seq', 'integer', (c) => c.notNull().references('environments.seq').onDelete('cascade'))
            .addColumn('status', 'text', (c) => c.notNull())
            .addColumn('created_ms', 'integer', (c) => c.notNull())
            .addColumn('creator_seq', 'integer')
            .addColumn('end_ms', 'integer')
            .addColumn('pipeline_name', 'text', (c) => c.notNull())
            .addColumn('deployment_name', 'text')
            .addColumn('change_seq', 'integer', (c) => c.notNull())
            .addColumn('step_source_id', 'integer', (c) => c.references('execution_step_sources.id'))
            .addColumn('head', 'text')
            .addColumn('doc', 'text', (c) => c.notNull())
            .execute();
          for (let after = 0; ; ) {
            const rows = await db.selectFrom('executions').selectAll().where('id', '>', after).orderBy('id').limit(1000).execute();
            if (rows.length === 0) break;
            const values = [];
            for (const row of rows) values.push({ id: row.id, execution_id: row.execution_id, status: row.status, pipeline_name: row.pipeline_name, deployment_name: row.deployment_name, change_seq: row.change_seq, ...(await compact(row)) });
            for (let i = 0; i < values.length; i += 200) await db.insertInto('executions_0011').values(values.slice(i, i + 200)).execute();
            after = Number(rows[rows.length - 1]!.id);
          }
          const sequence = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = 'executions'`.execute(db);
          await db.schema.dropTable('executions').execute();
          await db.schema.alterTable('executions_0011').renameTo('executions').execute();
          // Ids of executions deleted at the end are not given again.
          if (sequence.rows[0]) await sql`UPDATE sqlite_sequence SET seq = max(seq, ${sequence.rows[0].seq}) WHERE name = 'executions'`.execute(db);
          const broken = await sql`PRAGMA foreign_key_check`.execute(db);
          if (broken.rows.length > 0) throw new Error(`migration 0011: ${broken.rows.length} rows point at nothing: ${JSON.stringify(broken.rows.slice(0, 3))}`);
          await sql`PRAGMA foreign_keys = ON`.execute(db);
        }
        // Every filter combination through one index: an equality filter, then the page order (created_ms, id),
        // then the other filters, checked in the index.
        for (const [name, columns] of [
          // No equality filter, or a date range the planner prefers: the other filters in the index too.
          ['executions_list', ['environment_seq', 'created_ms', 'id', 'status', 'pipeline_name', 'deployment_name', 'creator_seq']],
          ['executions_list_status', ['environment_seq', 'status', 'created_ms', 'id', 'pipeline_name', 'deployment_name', 'creator_seq']],
          ['executions_list_pipeline', ['environment_seq', 'pipeline_name', 'created_ms', 'id', 'status', 'deployment_name', 'creator_seq']],
          ['executions_list_deployment', ['environment_seq', 'deployment_name', 'created_ms', 'id', 'status', 'pipeline_name', 'creator_seq']],
          ['executions_list_creator', ['environment_seq', 'creator_seq', 'created_ms', 'id', 'status', 'pipeline_name', 'deployment_name']],
          ['executions_changes', ['environment_seq', 'change_seq', 'status', 'pipeline_name', 'deployment_name', 'creator_seq', 'created_ms']],
        ] as const) {
          await db.schema.createIndex(name).on('executions').columns([...columns]).execute();
        }
      },
    },
    '0012_executions_lean_changes': {
      async up(db: Kysely<any>) {
        // Executions carry their change's id (change_seq) and their feed is read from their rows: their
        // `changes` rows only draw that id and give the cursor (max id), so only the newest is kept (about
        // 200 B an execution on PostgreSQL with the two indexes of changes).
        await sql`DELETE FROM changes WHERE resource = 'execution' AND id < (SELECT max(id) FROM changes WHERE resource = 'execution')`.execute(db);
        // The deployment filter's index holds only the executions of a deployment (most have none): a
        // filter on one (deployment_name = …) implies the condition, on both dialects.
        await db.schema.dropIndex('executions_list_deployment').execute();
        await sql`CREATE INDEX executions_list_deployment ON executions (environment_seq, deployment_name, created_ms, id, status, pipeline_name, creator_seq) WHERE deployment_name IS NOT NULL`.execute(db);
      },
    },
    '0013_executions_more_fragments': {
      async up(db: Kysely<any>) {
        // Nine more fragments every step, input and output repeats, one control character each (a frozen copy
        // of execution-doc.ts's DICTIONARY after its first three): stored documents are encoded the same way
        // new ones are, each replacement in order after the three they already went through.
        let doc = sql`doc`;
        for (const [mark, fragment] of FRAGMENTS_0013) doc = sql`replace(${doc}, ${fragment}, ${mark})`;
        await sql`UPDATE executions SET doc = ${doc}`.execute(db);
      },
    },
    '0014_executions_lists_without_deployment': {
      async up(db: Kysely<any>) {
        // PostgreSQL: a filter on a deployment is served by the deployment's own index (0012), which holds
        // every other filter, so the other list indexes need not carry deployment_name (about 12 B an entry
        // in each, and the null's bitmap where an execution has none). The feed's index (since) keeps it:
        // its order is its own. Not SQLite: its planner takes the status, pipeline or creator index there and
        // would read table rows for the deployment (and SQLite stays well under 1 KB an execution).
        if (dialect !== 'postgres') return;
        for (const [name, columns] of [
          ['executions_list', ['environment_seq', 'created_ms', 'id', 'status', 'pipeline_name', 'creator_seq']],
          ['executions_list_status', ['environment_seq', 'status', 'created_ms', 'id', 'pipeline_name', 'creator_seq']],
          ['executions_list_pipeline', ['environment_seq', 'pipeline_name', 'created_ms', 'id', 'status', 'creator_seq']],
          ['executions_list_creator', ['environment_seq', 'creator_seq', 'created_ms', 'id', 'status', 'pipeline_name']],
        ] as const) {
          await db.schema.dropIndex(name).execute();
          await db.schema.createIndex(name).on('executions').columns([...columns]).execute();
        }
      },
    },
  };
}

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
