// THE desktop API: every call the renderer can make through `window.craft`.
// One table: electron/app-api.ts implements it, electron/preload and the browser-mode
// client expose it, the renderer calls it. Inputs are validated with these schemas in
// the main process, whatever the renderer claims.
import { z } from 'zod';
import { projectCreateSchema, projectSchema, projectUpdateSchema } from './project.js';
import { invitationSchema, passwordChangeSchema, userCreateSchema, userPublicSchema, userSchema, userUpdateSchema } from './user.js';
import { accessRequestSchema, resetPasswordSchema, memberRole, memberSchema, platformSettingsSchema, platformSettingsUpdateSchema, projectHistoryEntrySchema } from './access.js';
import { deploymentSchema, environmentCreateSchema, environmentSchema } from './environment.js';
import { executionSchema, logLineSchema } from './execution.js';
import { absoluteFilePath, email, homeOrAbsoluteFilePath } from './rules.js';
import { dotEnvPlanSchema } from './dotenv.js';
import { platformUrl } from './platform-url.js';
import { deployKeyPublicSchema, repoAccessResultSchema } from './deploy-key.js';
import { apiErrorSchema } from './errors.js';

export const freshnessSchema = z.object({
  source: z.enum(['platform', 'cache']),
  offline: z.boolean(),
  synced_at: z.string().nullable(), // when the platform last answered for this data
});
export type Freshness = z.infer<typeof freshnessSchema>;

export const tokenStorageSchema = z.enum(['keychain', 'memory']);
export type TokenStorage = z.infer<typeof tokenStorageSchema>;

export const connectionSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  kind: z.enum(['embedded', 'team']),
});
export type Connection = z.infer<typeof connectionSchema>;

export const sessionSchema = z.object({
  connection: connectionSchema,
  user: userSchema.nullable(),
  online: z.boolean(),
  synced_at: z.string().nullable(),
  token_storage: tokenStorageSchema,
  /** Why tokens live in memory only (no Secret Service…), with how to fix it. */
  keychain_message: z.string().nullable(),
  /** Why nobody is signed in any more (the platform refused the SDK token, e.g. after a password reset). */
  signed_out_reason: z.string().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

const empty = z.object({}).strict().default({});

export const keyJobSchema = z.object({
  job_id: z.string(),
  status: z.enum(['running', 'done', 'failed', 'cancelled']),
  elapsed_ms: z.number(),
  /** Human words on what the worker does now, e.g. "searching for primes (candidate 312)". */
  stage: z.string(),
  key: deployKeyPublicSchema.extend({ key_id: z.string() }).optional(),
  error: apiErrorSchema.optional(),
});
export type KeyJob = z.infer<typeof keyJobSchema>;

/** The desktop's project creation: the key travels as a handle held by the main process. */
export const desktopProjectCreateSchema = projectCreateSchema
  .omit({ deploy_key: true })
  .extend({ deploy_key_id: z.string({ error: 'is required: generate a deploy key or paste a private key' }).min(1, 'is required: generate a deploy key or paste a private key') })
  .strict();
export type DesktopProjectCreate = z.input<typeof desktopProjectCreateSchema>;

/** A secret copied to the clipboard (by the main process or the renderer) is wiped after this long if still there. */
export const CLIPBOARD_CLEAR_SECONDS = 60;

export const sdkTokenViewSchema = z.object({
  masked: z.string(),
  token: z.string().optional(), // present only when reveal: true was asked
  storage: tokenStorageSchema,
});

export const embeddedPlatformSchema = z.object({
  available: z.boolean(), // false when this app talks to a team platform only
  running: z.boolean(),
  url: z.string().nullable(),
});

export const connectionViewSchema = connectionSchema.extend({
  active: z.boolean(),
  signed_in: z.boolean(),
});

const projectRef = { project: z.string({ error: 'is required' }).min(1, 'is required') };
const environmentRef = { ...projectRef, environment: z.string({ error: 'is required' }).min(1, 'is required') };

// Moved to deploy-key.ts (the platform answers it too); still exported here for the desktop's users.
export { repoAccessResultSchema, type RepoAccessResult } from './deploy-key.js';

/** A row of the executions table: the execution without steps, logs or values. */
export const executionRowSchema = executionSchema.pick({
  execution_id: true,
  status: true,
  created_at: true,
  created_by: true,
  end_date: true,
  pipeline_name: true,
  deployment_name: true,
});
export type ExecutionRow = z.infer<typeof executionRowSchema>;

/** A row of a project's or environment's executions table: the row and the environment it ran in. */
export const executionListRowSchema = executionRowSchema.extend({ environment: z.string() });
export type ExecutionListRow = z.infer<typeof executionListRowSchema>;

/**
 * Where the desktop cache's executions stood when a list was read: the newest revision written, and how
 * many times executions were deleted. Given back as `since`, the list answers only what was written after.
 */
export const executionsVersionSchema = z
  .object({
    rev: z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0'),
    deletions: z.number({ error: 'must be a number' }).int('must be an integer').min(0, 'must be at least 0'),
  })
  .strict();
export type ExecutionsVersion = z.infer<typeof executionsVersionSchema>;

/** An input or output shown as a column of the executions table: "input:<name>" or "output:<name>" (the SDK's name rule). */
export const IO_COLUMN_PATTERN = /^(input|output):([A-Za-z0-9_][A-Za-z0-9_.-]{0,199})$/;
export const ioColumnSchema = z.string().regex(IO_COLUMN_PATTERN, 'must be "input:<name>" or "output:<name>", the name in letters, digits, "_", "." and "-"');
export const MAX_IO_COLUMNS = 12;

export const syncReportSchema = z.object({
  ok: z.boolean(),
  synced_at: z.string(),
  received: z.record(z.string(), z.number()),
  skipped: z.array(z.string()),
  error: apiErrorSchema.optional(),
});

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

export const appApiContract = {
  getSession: method(empty, sessionSchema),
  listProjects: method(
    z.object({ cached_only: z.boolean().default(false) }).strict().default({ cached_only: false }),
    z.object({ items: z.array(projectSchema), freshness: freshnessSchema }),
  ),
  getProject: method(z.object({ name: z.string() }).strict(), z.object({ item: projectSchema, freshness: freshnessSchema })),
  createProject: method(desktopProjectCreateSchema, projectSchema),

  startKeyGeneration: method(empty, z.object({ job_id: z.string() })),
  getKeyGeneration: method(z.object({ job_id: z.string() }).strict(), keyJobSchema),
  cancelKeyGeneration: method(z.object({ job_id: z.string() }).strict(), z.object({ cancelled: z.boolean() })),
  importDeployKey: method(
    z
      .object({
        private_key: z.string({ error: 'is required' }).max(64 * 1024, 'is too long to be a private key'),
        passphrase: z.string().max(1024, 'must be at most 1024 characters').optional(),
      })
      .strict(),
    deployKeyPublicSchema.extend({ key_id: z.string() }),
  ),
  /** Writes the pair to files the user chose: `path` (absolute; private, mode 0600) and `path.pub`; an existing file is replaced only with overwrite (after the user confirmed), else 'conflict'. */
  exportDeployKey: method(
    z.object({ key_id: z.string(), path: absoluteFilePath('/home/you/.ssh/craft_deploy_key'), overwrite: z.boolean().default(false) }).strict(),
    z.object({ private_key_path: z.string(), public_key_path: z.string() }),
  ),
  /** "Test access": SSH to the repository host with this key only and ask git-upload-pack for the repository. */
  testRepositoryAccess: method(
    z.object({ repository_url: z.string({ error: 'is required' }), key_id: z.string(), accept_host_fingerprint: z.string().optional() }).strict(),
    repoAccessResultSchema,
  ),

  getSdkToken: method(z.object({ reveal: z.boolean().default(false) }).strict().default({ reveal: false }), sdkTokenViewSchema),
  copySdkToken: method(empty, z.object({ copied: z.boolean(), clears_after_s: z.number() })),
  regenerateSdkToken: method(empty, sdkTokenViewSchema),

  // Connections: the token manager (several platforms side by side, one active).
  listConnections: method(empty, z.object({ items: z.array(connectionViewSchema), token_storage: tokenStorageSchema, keychain_message: z.string().nullable() })),
  addConnection: method(
    z.object({ url: platformUrl, name: z.string().trim().max(100, 'must be at most 100 characters').optional() }).strict(),
    connectionViewSchema,
  ),
  switchConnection: method(z.object({ id: z.string() }).strict(), connectionViewSchema),
  removeConnection: method(z.object({ id: z.string() }).strict(), z.object({ revoked: z.boolean(), message: z.string().nullable() })),
  signIn: method(z.object({ email, password: z.string({ error: 'is required' }).min(1, 'is required') }).strict(), sessionSchema),
  signOut: method(empty, z.object({ revoked: z.boolean(), message: z.string().nullable() })),
  forgotPassword: method(z.object({ email }).strict(), z.object({ message: z.string() })),
  /** "I have a code": a new password with the code of an invitation or reset mail (the active connection's platform; single use). */
  resetPassword: method(resetPasswordSchema, z.object({ message: z.string() })),
  changePassword: method(passwordChangeSchema.strict(), z.object({ changed: z.boolean() })),
  /** Incremental sync of the active connection into the cache. */
  syncNow: method(empty, syncReportSchema),
  /**
   * The platform's newest change cursor (null when it does not answer): a view on screen polls it and
   * reloads when it moves. Cheap on both sides: one indexed read, nothing synced.
   */
  getChangeCursor: method(empty, z.object({ cursor: z.string().nullable(), freshness: freshnessSchema })),

  // Projects: settings, history, members.
  updateProject: method(
    z.object({ ...projectRef, changes: projectUpdateSchema.omit({ deploy_key: true }).extend({ deploy_key_id: z.string().optional() }).strict() }).strict(),
    projectSchema.extend({ changed_fields: z.array(z.string()), notice: z.string() }),
  ),
  /** Settings → "Test access": the platform tests the key it holds; an unknown host's fingerprint is confirmed first, as before saving. */
  testProjectDeployKey: method(z.object({ ...projectRef, accept_host_fingerprint: z.string().optional() }).strict(), repoAccessResultSchema),
  /** "Replace deploy key": the platform tests the new key against the repository and saves it only when it reads it. */
  replaceDeployKey: method(
    z.object({ ...projectRef, key_id: z.string({ error: 'is required: generate or paste the new key' }), accept_host_fingerprint: z.string().optional() }).strict(),
    z.object({ replaced: z.boolean(), old_fingerprint: z.string(), access: repoAccessResultSchema, project: projectSchema.extend({ changed_fields: z.array(z.string()), notice: z.string() }) }),
  ),
  deleteProject: method(z.object({ ...projectRef, confirm_name: z.string({ error: "is required: type the project's name" }) }).strict(), z.object({ deleted: z.boolean() })),
  getProjectHistory: method(z.object(projectRef).strict(), z.object({ items: z.array(projectHistoryEntrySchema) })),
  listMembers: method(z.object(projectRef).strict(), z.object({ items: z.array(memberSchema) })),
  setMember: method(z.object({ ...projectRef, user_id: z.string(), role: memberRole }).strict(), memberSchema),
  removeMember: method(z.object({ ...projectRef, user_id: z.string() }).strict(), z.object({ removed: z.boolean() })),

  // Environments and deployments.
  listEnvironments: method(z.object(projectRef).strict(), z.object({ items: z.array(environmentSchema), freshness: freshnessSchema })),
  createEnvironment: method(z.object({ ...projectRef, environment: environmentCreateSchema }).strict(), environmentSchema),
  getEnvironment: method(z.object(environmentRef).strict(), z.object({ item: environmentSchema, freshness: freshnessSchema })),
  deleteEnvironment: method(z.object({ ...environmentRef, confirm_name: z.string({ error: "is required: type the environment's name" }) }).strict(), z.object({ deleted: z.boolean() })),
  listDeployments: method(z.object(environmentRef).strict(), z.object({ items: z.array(deploymentSchema), freshness: freshnessSchema })),
  /** "Connect to the SDK": the environment URL, the export lines (token masked unless revealed). */
  getSdkConnection: method(
    z.object({ ...environmentRef, reveal: z.boolean().default(false) }).strict(),
    z.object({ environment_url: z.string(), export_lines: z.string(), token_masked: z.string(), token: z.string().optional(), storage: tokenStorageSchema }),
  ),
  /** What "Write .env" would change in the file (the SDK's variables only; no value in the answer), for the user to confirm. */
  previewDotEnv: method(z.object({ ...environmentRef, path: homeOrAbsoluteFilePath('/home/you/project/.env') }).strict(), dotEnvPlanSchema),
  /**
   * Sets the SDK's variables in a .env (absolute or ~/ path, mode 0600), keeping its other lines; an existing
   * file is changed only with confirmed (the user saw previewDotEnv), else 'conflict'.
   */
  writeDotEnv: method(
    z.object({ ...environmentRef, path: homeOrAbsoluteFilePath('/home/you/project/.env'), confirmed: z.boolean().default(false) }).strict(),
    dotEnvPlanSchema.extend({ written: z.boolean() }),
  ),
  /** Adds a .env to its git repository's .gitignore, so that the token is never committed. */
  ignoreDotEnvInGit: method(
    z.object({ path: homeOrAbsoluteFilePath('/home/you/project/.env') }).strict(),
    z.object({ gitignore: z.string(), line: z.string(), added: z.boolean() }),
  ),

  // Executions (synced into the cache; the table works offline on what was seen).
  /**
   * Without environment: the project's executions in every environment. io: the inputs and outputs
   * wanted as columns, answered as one array of values per column, in the order of items.
   */
  listExecutions: method(
    z
      .object({
        ...projectRef,
        environment: z.string().min(1, 'is required when given').optional(),
        deployment: z.string().optional(),
        refresh: z.boolean().default(true),
        io: z.array(ioColumnSchema).max(MAX_IO_COLUMNS, `must name at most ${MAX_IO_COLUMNS} columns`).default([]),
        /** The version a previous answer gave: then only the rows written after it (a live list's next read). */
        since: executionsVersionSchema.optional(),
      })
      .strict(),
    z.object({
      /** The whole list, or with `partial` only the rows written after `since` (to merge by execution_id). */
      items: z.array(executionListRowSchema),
      io: z.record(z.string(), z.array(z.unknown())),
      /** How many executions the whole list has. */
      total: z.number(),
      partial: z.boolean(),
      version: executionsVersionSchema,
      freshness: freshnessSchema,
    }),
  ),
  /** The input and output names of the newest executions cached (of an environment, or a whole project): the column chooser's offer. */
  listExecutionIoNames: method(
    z.object({ ...projectRef, environment: z.string().min(1, 'is required when given').optional() }).strict(),
    z.object({ inputs: z.array(z.string()), outputs: z.array(z.string()) }),
  ),
  getExecution: method(z.object({ ...environmentRef, execution_id: z.string() }).strict(), z.object({ item: executionSchema, freshness: freshnessSchema })),
  getExecutionLogs: method(
    z.object({ ...environmentRef, execution_id: z.string(), from: z.string().optional(), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    z.object({ items: z.array(logLineSchema) }),
  ),
  /** Names for user ids, as the SDK's get_user gives them (deleted users keep their name). */
  resolveUsers: method(z.object({ ids: z.array(z.string()).max(10_000) }).strict(), z.object({ items: z.array(userPublicSchema) })),

  // Administration (admins; the platform refuses others).
  listUsers: method(empty, z.object({ items: z.array(userSchema) })),
  /** invitation: the new user's one-time code, when the platform could not mail it (shown to the admin once). */
  createUser: method(userCreateSchema.strict(), userSchema.extend({ invitation: invitationSchema.optional() })),
  /** A new invitation code for a user who has not signed in yet: mailed, or answered when it could not be. */
  resendInvitation: method(z.object({ id: z.string() }).strict(), z.object({ user: userSchema, invitation: invitationSchema.optional() })),
  updateUser: method(z.object({ id: z.string(), changes: userUpdateSchema }).strict(), userSchema),
  deleteUser: method(z.object({ id: z.string() }).strict(), z.object({ deleted: z.boolean() })),
  listAccessRequests: method(empty, z.object({ items: z.array(accessRequestSchema) })),
  decideAccessRequest: method(
    z.object({ id: z.string(), decision: z.enum(['approve', 'decline'], { error: 'must be approve or decline' }) }).strict(),
    accessRequestSchema.extend({ invitation: invitationSchema.optional() }),
  ),
  getPlatformSettings: method(empty, platformSettingsSchema),
  updatePlatformSettings: method(platformSettingsUpdateSchema, platformSettingsSchema),

  /** The platform embedded in the app: stopping it is how a user works offline on purpose. */
  getEmbeddedPlatform: method(empty, embeddedPlatformSchema),
  setEmbeddedPlatform: method(z.object({ running: z.boolean({ error: 'must be true or false' }) }).strict(), embeddedPlatformSchema),
} as const;

export type AppApiContract = typeof appApiContract;
export type AppMethod = keyof AppApiContract;
export type AppInput<M extends AppMethod> = z.input<AppApiContract[M]['input']>;
export type AppOutput<M extends AppMethod> = z.output<AppApiContract[M]['output']>;
export const APP_METHODS = Object.keys(appApiContract) as AppMethod[];

/** What `window.craft` is, in Electron and in browser mode alike. */
export type CraftApi = { [M in AppMethod]: (input?: AppInput<M>) => Promise<AppOutput<M>> };

/** The envelope every transport carries; the error is rebuilt into an AppError on arrival. */
export type Envelope<T> = { ok: true; result: T } | { ok: false; error: z.infer<typeof apiErrorSchema> };
