import { z } from 'zod';
import { displayName, email, password } from './rules.js';

export const USER_ROLES = ['admin', 'member'] as const;
export const userRole = z.enum(USER_ROLES, { error: `must be one of ${USER_ROLES.join(', ')}` });
export type UserRole = z.infer<typeof userRole>;

/** What GET /users/{id} returns, as the SDK's get_user expects. */
export const userPublicSchema = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type UserPublic = z.infer<typeof userPublicSchema>;

export const userSchema = userPublicSchema.extend({
  role: userRole,
  created_at: z.string(),
  deleted_at: z.string().nullable().optional(),
  /** GET /users/me: signed in with a one-time password that must be changed before anything else. */
  password_change_required: z.boolean().optional(),
  /** (Admins) The user has neither chosen a password nor got an SDK token yet: they need their invitation code. */
  invitation_pending: z.boolean().optional(),
});
export type User = z.infer<typeof userSchema>;

export const loginSchema = z.object({ email, password: z.string({ error: 'is required' }).min(1, 'is required') });
export type LoginInput = z.infer<typeof loginSchema>;

export const accessTokenSchema = z.object({ access_token: z.string() });
export const refreshSchema = z.object({ refresh_token: z.string({ error: 'is required' }).min(1, 'is required') });
export const sdkTokenSchema = z.object({ sdk_token: z.string() });

export const userCreateSchema = z.object({ name: displayName, email, role: userRole.default('member') });
export const userUpdateSchema = z
  .object({ name: displayName, email, role: userRole })
  .partial()
  .strict();
export const passwordChangeSchema = z.object({
  current_password: z.string({ error: 'is required' }).min(1, 'is required'),
  new_password: password,
});

/**
 * An invitation code for the admin to hand over, shown once: present only when it was not mailed —
 * the platform has no mail server, or the mail could not be sent. The code is single-use and expires.
 */
export const INVITATION_REASONS = ['no_mail_server', 'mail_failed'] as const;
export const invitationSchema = z.object({ code: z.string(), expires_at: z.string(), reason: z.enum(INVITATION_REASONS) });
export type Invitation = z.infer<typeof invitationSchema>;
