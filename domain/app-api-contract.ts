// THE desktop API: every call the renderer can make through `window.craft`.
// One table: electron/app-api.ts implements it, electron/preload and the browser-mode
// client expose it, the renderer calls it. Inputs are validated with these schemas in
// the main process, whatever the renderer claims.
import { z } from 'zod';
import { projectCreateSchema, projectSchema } from './project.js';
import { userSchema } from './user.js';
import { deployKeyPublicSchema } from './deploy-key.js';
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
    z.object({ private_key: z.string({ error: 'is required' }).max(64 * 1024, 'is too long to be a private key') }).strict(),
    deployKeyPublicSchema.extend({ key_id: z.string() }),
  ),

  getSdkToken: method(z.object({ reveal: z.boolean().default(false) }).strict().default({ reveal: false }), sdkTokenViewSchema),
  copySdkToken: method(empty, z.object({ copied: z.boolean(), clears_after_s: z.number() })),
  regenerateSdkToken: method(empty, sdkTokenViewSchema),

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
