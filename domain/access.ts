// Access rights on the platform: project members, project history and deletion, platform settings,
// access requests and password resets. Shared by the platform routes and the desktop.
import { z } from 'zod';
import { displayName, email, password } from './rules.js';
import { projectSchema, projectUpdateSchema } from './project.js';

export const MEMBER_ROLES = ['owner', 'editor', 'viewer'] as const;
export const memberRole = z.enum(MEMBER_ROLES, { error: `must be one of ${MEMBER_ROLES.join(', ')}` });
export type MemberRole = z.infer<typeof memberRole>;

/** PUT /projects/{name}/members/{user_id} */
export const memberPutSchema = z.object({ role: memberRole }).strict();

export const memberSchema = z.object({
  user_id: z.string(),
  name: z.string(),
  email: z.string(),
  role: memberRole,
  created_at: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

/** PATCH /projects/{name}: the update fields; the name is refused with a clear rule. */
export const projectPatchSchema = projectUpdateSchema.extend({
  name: z
    .unknown()
    .refine(() => false, { message: 'cannot be changed: a project keeps its name for life' })
    .optional(),
});

export const PROJECT_CHANGES_NOTICE = 'Changes apply to steps created afterwards; existing steps keep the settings they were created with.';

export const projectPatchResultSchema = projectSchema.extend({
  changed_fields: z.array(z.string()),
  notice: z.string(),
});

export const projectChangeSchema = z.object({
  field: z.string(),
  /** Old and new values; for deploy_key, the fingerprints (never the key). */
  from: z.unknown(),
  to: z.unknown(),
});

export const projectHistoryEntrySchema = z.object({
  id: z.number().int(),
  changed_at: z.string(),
  changed_by: z.string(),
  changed_by_name: z.string().nullable(),
  changes: z.array(projectChangeSchema),
});
export type ProjectHistoryEntry = z.infer<typeof projectHistoryEntrySchema>;

/** DELETE /projects/{name}: the request repeats the project's name. */
export const projectDeleteSchema = z
  .object({ confirm_name: z.string({ error: 'is required: repeat the project\'s name to delete it' }).min(1, 'is required: repeat the project\'s name to delete it') })
  .strict();

export const platformSettingsSchema = z.object({
  /** Off by default: users see the projects they are members of. On: every user sees (and may edit) every project. */
  every_user_sees_every_project: z.boolean(),
});
export const platformSettingsUpdateSchema = platformSettingsSchema.partial().strict();

export const forgotPasswordSchema = z.object({ email }).strict();

/**
 * The sign-in's words for choosing a password with a mailed code: the app's buttons carry them and
 * the platform's mails (invitation, reset) and errors quote them, so the mail and the screen agree.
 */
export const RESET_WORDS = { forgot: 'Forgot your password?', haveCode: 'I have a code' } as const;
/** Where a code is entered in the app, as the mails say it. */
export const WHERE_TO_ENTER_A_CODE = `on the sign-in, "${RESET_WORDS.forgot}" → "${RESET_WORDS.haveCode}"`;
export const resetPasswordSchema = z
  .object({
    code: z.string({ error: 'is required: use the code from the mail' }).trim().min(1, 'is required: use the code from the mail').max(200, 'is not a valid code'),
    new_password: password,
  })
  .strict();

export const accessRequestCreateSchema = z.object({ email, name: displayName.optional() }).strict();
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'declined'] as const;
export const accessRequestSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  status: z.enum(ACCESS_REQUEST_STATUSES),
  created_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
});
export type AccessRequest = z.infer<typeof accessRequestSchema>;
