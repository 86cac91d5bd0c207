// THE platform API: one table of every endpoint — method, path, schemas, who may call.
// The platform registers its routes from it (platform/routes/register.ts) and serves its OpenAPI
// document from it; the desktop, the sync and `craft` call it through the one typed client
// (electron/services/platform-client.ts), which parses every answer with the same schemas.
// No platform path is written anywhere else.
import { z } from 'zod';
import { apiErrorSchema } from './errors.js';
import {
  accessTokenSchema,
  invitationSchema,
  loginSchema,
  passwordChangeSchema,
  refreshSchema,
  sdkTokenSchema,
  userCreateSchema,
  userPublicSchema,
  userRole,
  userSchema,
  userUpdateSchema,
} from './user.js';
import { projectCreateSchema, projectSchema } from './project.js';
import { deployKeyReplaceSchema, deployKeyTestSchema, repoAccessResultSchema } from './deploy-key.js';
import {
  ACCESS_REQUEST_STATUSES,
  accessRequestCreateSchema,
  accessRequestSchema,
  forgotPasswordSchema,
  memberPutSchema,
  memberSchema,
  platformSettingsSchema,
  platformSettingsUpdateSchema,
  projectDeleteSchema,
  projectHistoryEntrySchema,
  projectPatchResultSchema,
  projectPatchSchema,
  resetPasswordSchema,
} from './access.js';
import {
  deploymentCreateSchema,
  deploymentSchema,
  deploymentUpdateSchema,
  environmentCreateSchema,
  environmentSchema,
  environmentStatus,
  environmentUpdateSchema,
  sdkDeploymentItemSchema,
  sdkDeploymentSchema,
} from './environment.js';
import {
  executionCreateSchema,
  executionListQuerySchema,
  executionLogsSchema,
  executionOutputsSchema,
  executionPageSchema,
  executionQuerySchema,
  executionSchema,
  executionUpdateSchema,
  logAppendSchema,
  logQuerySchema,
  waitQuerySchema,
} from './execution.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call, enforced by the platform when the route registers:
 * - anonymous: anyone; user: any signed-in user; admin: administrators;
 * - project:<role>: a user who may see the project `:name` (its members, administrators, everyone when
 *   the platform's setting says so; others get 404, never 403) holding at least that role
 *   (viewer < editor < owner; administrators count as owners, "everyone sees" as editors);
 * - environment:<role>: the same, for the project of the environment `:slug` (the environment API).
 */
export const ACCESS_LEVELS = ['anonymous', 'user', 'admin', 'project:viewer', 'project:editor', 'project:owner', 'environment:viewer', 'environment:editor'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export interface EndpointDefinition {
  method: HttpMethod;
  /** Fastify-style: `:param` segments, filled from `params`. */
  path: `/${string}`;
  access: Access;
  tags: readonly string[];
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success answers by status; every endpoint may also answer the error statuses below. */
  responses: Readonly<Record<number, z.ZodType>>;
}

/** Every error answer has this body: {error, message "<field>: <rule>", field?}; the environment API adds the SDK's name and request_id. */
export const ERROR_RESPONSES = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema, 429: apiErrorSchema } as const;

const endpoint = <const D extends EndpointDefinition>(definition: D): D => definition;

/** The control API's root: {platform}/api/v1. */
const CONTROL = '/api/v1';
/** An environment's own API: {environment_url}/api/v1, the environment URL being {platform}/environments/{slug}. */
const ENVIRONMENT = '/environments/:slug/api/v1';

/** The path of an environment's URL (CRAFT_AI_ENVIRONMENT_URL) below the platform's. */
export function environmentUrlPath(slug: string): string {
  return `/environments/${encodeURIComponent(slug)}`;
}

/** A feed cursor: the string of a non-negative integer, from a previous answer. */
export const cursorParam = z.coerce
  .number({ error: 'must be a cursor from a previous answer' })
  .int('must be a cursor from a previous answer')
  .min(0, 'must be a cursor from a previous answer')
  .max(Number.MAX_SAFE_INTEGER, 'must be a cursor from a previous answer');

/** ?since=<cursor>: only what changed since a previous answer (the desktop cache's incremental sync). */
export const sinceQuery = z.object({ since: cursorParam.optional() }).strict();

/** The answer of every "changed since" list: the items changed, the keys deleted, the cursor to ask from next. */
export function changesPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), deleted: z.array(z.string()), cursor: z.string() });
}

const ok = z.object({ ok: z.literal(true) });
const name = z.string().max(200);
const projectParams = z.object({ name });
const environmentParams = projectParams.extend({ env: name });
const deploymentParams = environmentParams.extend({ deployment: name });
const memberParams = projectParams.extend({ user_id: z.string().max(100) });
const userIdParams = z.object({ id: z.string().max(100) });
const accessRequestParams = z.object({ id: z.string().max(100) });
const slugParams = z.object({ slug: name });
const executionParams = slugParams.extend({ id: name });
const environmentDeploymentParams = slugParams.extend({ deployment: name });

/** How a new user gets their first code, said once for the endpoints that issue one. */
const INVITATION_WORDS =
  'The user chooses a password with a single-use invitation code (POST /api/v1/auth/reset-password). It is mailed to them; when the platform has no mail server, or the mail could not be sent, the answer carries it in invitation {code, expires_at, reason} instead, this once, for the administrator to hand over.';

export const ACCESS_REQUEST_SENT =
  'This email has no account yet: your access request was sent to the administrators. You will receive a mail when it is approved.';
export const accessRequestSentSchema = z.object({ access_request: z.literal('sent'), message: z.string() });

/** GET /users/me: the signed-in user. */
export const meSchema = userSchema.omit({ deleted_at: true });
/** A user's card {id, name, email}; administrators also get the role and dates. */
export const userCardSchema = userPublicSchema.extend({
  role: userRole.optional(),
  created_at: z.string().optional(),
  deleted_at: z.string().nullable().optional(),
  invitation_pending: z.boolean().optional(),
});

export const loginAnswerSchema = accessTokenSchema.extend({ token_type: z.literal('Bearer'), expires_in: z.number(), password_change_required: z.boolean() });
export const refreshAnswerSchema = accessTokenSchema.extend({ token_type: z.literal('Bearer'), expires_in: z.number() });

/** GET environment-info: the SDK calls it without a token and reads environment_id; a member's token tells the rest. */
export const environmentInfoSchema = z.object({
  environment_id: z.string(),
  environment_name: z.string().optional(),
  project_name: z.string().optional(),
  url: z.string().optional(),
  slug: z.string().optional(),
  status: environmentStatus.optional(),
  created_at: z.string().optional(),
  created_by: z.string().optional(),
});

export const healthSchema = z.object({ status: z.literal('alive') });
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  /** What is wrong, when not ready. */
  reason: z.string().optional(),
  migrations: z.object({ applied: z.number().int(), expected: z.number().int() }).optional(),
});

export const platformContract = {
  // ——— sign-in, sign-out, the SDK's token exchange ———
  login: endpoint({
    method: 'POST',
    path: `${CONTROL}/auth/login`,
    access: 'anonymous',
    tags: ['auth'],
    summary: 'Sign in with email and password',
    description:
      'Every guess is counted before it is checked, per account and per address: after a few wrong ones each waits longer (429 with Retry-After says how long); an account is never locked. An email the platform does not know files an access request for the administrators (202).',
    body: loginSchema,
    responses: { 200: loginAnswerSchema, 202: accessRequestSentSchema },
  }),
  forgotPassword: endpoint({
    method: 'POST',
    path: `${CONTROL}/auth/forgot-password`,
    access: 'anonymous',
    tags: ['auth'],
    summary: 'Mail a single-use code to choose a new password',
    description: 'The answer is the same whether or not the email belongs to an account. The code expires within the hour.',
    body: forgotPasswordSchema,
    responses: { 202: z.object({ message: z.string() }) },
  }),
  resetPassword: endpoint({
    method: 'POST',
    path: `${CONTROL}/auth/reset-password`,
    access: 'anonymous',
    tags: ['auth'],
    summary: 'Choose a new password with the mailed code (single use)',
    description: 'Ends every session of the account and its SDK token (sign in again for a new one).',
    body: resetPasswordSchema,
    responses: { 200: ok },
  }),
  refresh: endpoint({
    method: 'POST',
    path: `${CONTROL}/auth/refresh`,
    access: 'anonymous',
    tags: ['auth'],
    summary: 'Exchange an SDK token for a short-lived access token (what the Python SDK calls)',
    body: refreshSchema,
    responses: { 200: refreshAnswerSchema },
  }),
  logout: endpoint({
    method: 'POST',
    path: `${CONTROL}/auth/logout`,
    access: 'user',
    tags: ['auth'],
    summary: 'Sign out: revokes the session of this access token',
    responses: { 200: ok },
  }),

  // ——— the caller's account and SDK token; users ———
  me: endpoint({ method: 'GET', path: `${CONTROL}/users/me`, access: 'user', tags: ['users'], summary: 'The signed-in user', responses: { 200: meSchema } }),
  regenerateSdkToken: endpoint({
    method: 'POST',
    path: `${CONTROL}/users/me/sdk-token`,
    access: 'user',
    tags: ['users'],
    summary: 'Regenerate the SDK token',
    description: 'Returns the new token this once. The previous token is refused from the very next request, and the sessions opened with it are revoked.',
    responses: { 200: sdkTokenSchema },
  }),
  revokeSdkToken: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/users/me/sdk-token`,
    access: 'user',
    tags: ['users'],
    summary: 'Revoke the SDK token (sign out)',
    description: 'The token is refused from the very next request and the sessions opened with it are revoked. Signing in again issues a new one.',
    responses: { 200: ok },
  }),
  changePassword: endpoint({
    method: 'POST',
    path: `${CONTROL}/users/me/password`,
    access: 'user',
    tags: ['users'],
    summary: "Change the caller's password",
    description: 'Other password sessions of the user are revoked.',
    body: passwordChangeSchema,
    responses: { 200: ok },
  }),
  getUser: endpoint({
    method: 'GET',
    path: `${CONTROL}/users/:id`,
    access: 'user',
    tags: ['users'],
    summary: "A user's card {id, name, email} (admins also get role and dates); deleted users stay readable for history",
    params: userIdParams,
    responses: { 200: userCardSchema },
  }),
  listUsers: endpoint({
    method: 'GET',
    path: `${CONTROL}/users`,
    access: 'user',
    tags: ['users'],
    summary: 'Users: admins get every account (include_deleted=true for deleted ones too); members get the cards of active users',
    description: 'With since=<cursor>: only the users created, changed or deleted since then (deleted ones are listed in deleted).',
    query: z.object({ include_deleted: z.enum(['true', 'false']).default('false'), since: cursorParam.optional() }).strict(),
    responses: { 200: changesPage(userCardSchema) },
  }),
  createUser: endpoint({
    method: 'POST',
    path: `${CONTROL}/users`,
    access: 'admin',
    tags: ['users'],
    summary: 'Add a user (admins). The user is mailed a code to choose a password.',
    description: INVITATION_WORDS,
    body: userCreateSchema.strict(),
    responses: { 201: userSchema.extend({ invitation: invitationSchema.optional() }) },
  }),
  resendInvitation: endpoint({
    method: 'POST',
    path: `${CONTROL}/users/:id/invitation`,
    access: 'admin',
    tags: ['users'],
    summary: 'Issue a new invitation code to a user who has not signed in yet (admins); the previous code stops working',
    description: `${INVITATION_WORDS} A user who already signed in resets their password instead (409).`,
    params: userIdParams,
    responses: { 200: z.object({ user: userSchema, invitation: invitationSchema.optional() }) },
  }),
  updateUser: endpoint({
    method: 'PATCH',
    path: `${CONTROL}/users/:id`,
    access: 'admin',
    tags: ['users'],
    summary: "Edit a user's name, email or role (admins)",
    params: userIdParams,
    body: userUpdateSchema,
    responses: { 200: userSchema },
  }),
  deleteUser: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/users/:id`,
    access: 'admin',
    tags: ['users'],
    summary: 'Delete a user (admins)',
    description: 'The account is closed (sign-in, SDK token and sessions stop at once, memberships end) but kept for history: what the user created still names them.',
    params: userIdParams,
    responses: { 200: userSchema },
  }),

  // ——— access requests and platform settings ———
  requestAccess: endpoint({
    method: 'POST',
    path: `${CONTROL}/access-requests`,
    access: 'anonymous',
    tags: ['access requests'],
    summary: 'Ask for an account (no sign-in needed)',
    body: accessRequestCreateSchema,
    responses: { 202: accessRequestSentSchema },
  }),
  listAccessRequests: endpoint({
    method: 'GET',
    path: `${CONTROL}/access-requests`,
    access: 'admin',
    tags: ['access requests'],
    summary: 'Access requests (admins), pending ones by default',
    query: z.object({ status: z.enum([...ACCESS_REQUEST_STATUSES, 'all']).default('pending') }).strict(),
    responses: { 200: z.object({ items: z.array(accessRequestSchema) }) },
  }),
  approveAccessRequest: endpoint({
    method: 'POST',
    path: `${CONTROL}/access-requests/:id/approve`,
    access: 'admin',
    tags: ['access requests'],
    summary: 'Approve: creates the user and mails them how to sign in (admins)',
    description: INVITATION_WORDS,
    params: accessRequestParams,
    body: z.object({ role: userRole.default('member'), name: z.string().trim().min(1).max(200).optional() }).strict().default({ role: 'member' }),
    responses: { 200: z.object({ request: accessRequestSchema, user: userSchema, invitation: invitationSchema.optional() }) },
  }),
  declineAccessRequest: endpoint({
    method: 'POST',
    path: `${CONTROL}/access-requests/:id/decline`,
    access: 'admin',
    tags: ['access requests'],
    summary: 'Decline an access request (admins)',
    params: accessRequestParams,
    responses: { 200: z.object({ request: accessRequestSchema }) },
  }),
  getSettings: endpoint({ method: 'GET', path: `${CONTROL}/settings`, access: 'user', tags: ['settings'], summary: 'Platform settings', responses: { 200: platformSettingsSchema } }),
  updateSettings: endpoint({
    method: 'PATCH',
    path: `${CONTROL}/settings`,
    access: 'admin',
    tags: ['settings'],
    summary: 'Change platform settings (admins)',
    description:
      "every_user_sees_every_project (off by default): when on, every user sees and may edit every project, as the platform's documentation describes today; membership still decides who may delete and manage members.",
    body: platformSettingsUpdateSchema,
    responses: { 200: platformSettingsSchema },
  }),

  // ——— projects, their history and members ———
  listProjects: endpoint({
    method: 'GET',
    path: `${CONTROL}/projects`,
    access: 'user',
    tags: ['projects'],
    summary: "The projects the caller can see (admins: all), with the caller's role",
    description: "With since=<cursor> (from a previous answer), only the projects changed since then, and the names of those deleted: the desktop cache's incremental sync.",
    query: sinceQuery,
    responses: { 200: changesPage(projectSchema) },
  }),
  getChangeCursor: endpoint({
    method: 'GET',
    path: `${CONTROL}/changes/cursor`,
    access: 'user',
    tags: ['projects'],
    summary: 'The newest change cursor: one cheap read a client polls to learn whether anything changed since it last synced',
    description:
      'The same cursor every "changed since" list answers without since= (the platform-wide count of changes, no name or content). A client that sees it move syncs what it shows, with since=.',
    responses: { 200: z.object({ cursor: z.string() }) },
  }),
  createProject: endpoint({
    method: 'POST',
    path: `${CONTROL}/projects`,
    access: 'user',
    tags: ['projects'],
    summary: 'Create a project; the caller becomes its owner',
    description:
      'deploy_key is write-only: an RSA private key (PEM, PKCS#1 or PKCS#8, at least 2048 bits). It is stored encrypted and never returned; the answer carries its public key and SHA256 fingerprint.',
    body: projectCreateSchema,
    responses: { 201: projectSchema },
  }),
  getProject: endpoint({ method: 'GET', path: `${CONTROL}/projects/:name`, access: 'project:viewer', tags: ['projects'], summary: 'One project (404 for non-members)', params: projectParams, responses: { 200: projectSchema } }),
  updateProject: endpoint({
    method: 'PATCH',
    path: `${CONTROL}/projects/:name`,
    access: 'project:editor',
    tags: ['projects'],
    summary: 'Edit a project (owners, editors, admins); the name never changes',
    description: 'Records who changed which fields when (GET …/history). Changes apply to steps created afterwards; existing steps keep the settings they were created with. deploy_key replaces the key (write-only).',
    params: projectParams,
    body: projectPatchSchema,
    responses: { 200: projectPatchResultSchema },
  }),
  deleteProject: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/projects/:name`,
    access: 'project:owner',
    tags: ['projects'],
    summary: 'Delete a project (its owners and admins), repeating its name in confirm_name',
    params: projectParams,
    body: projectDeleteSchema,
    responses: { 200: z.object({ deleted: z.string() }) },
  }),
  getProjectHistory: endpoint({
    method: 'GET',
    path: `${CONTROL}/projects/:name/history`,
    access: 'project:viewer',
    tags: ['projects'],
    summary: 'Who changed which fields of the project, and when (newest first)',
    description: 'History is append-only: since=<id> gives only the entries after that one.',
    params: projectParams,
    query: sinceQuery,
    responses: { 200: z.object({ items: z.array(projectHistoryEntrySchema) }) },
  }),
  testProjectDeployKey: endpoint({
    method: 'POST',
    path: `${CONTROL}/projects/:name/deploy-key/test`,
    access: 'project:editor',
    tags: ['projects'],
    summary: "Test access with the key the platform holds: SSH to the project's repository with it and ask git for the repository (owners, editors, admins)",
    description:
      'The answer is the default branch and branch count, or the step that failed. github.com and gitlab.com host keys are built in; another host is trusted only through trusted_host_fingerprints (those the caller confirmed).',
    params: projectParams,
    body: deployKeyTestSchema,
    responses: { 200: repoAccessResultSchema },
  }),
  replaceProjectDeployKey: endpoint({
    method: 'PUT',
    path: `${CONTROL}/projects/:name/deploy-key`,
    access: 'project:editor',
    tags: ['projects'],
    summary: "Replace the deploy key: tested against the repository first, saved only when it reads it (recorded in the project's history)",
    description:
      'replaced is false, with the failed step in access, when the new key cannot read the repository: nothing is saved. old_fingerprint is the key to delete from the repository host.',
    params: projectParams,
    body: deployKeyReplaceSchema,
    responses: { 200: z.object({ replaced: z.boolean(), old_fingerprint: z.string(), access: repoAccessResultSchema, project: projectPatchResultSchema }) },
  }),
  listMembers: endpoint({
    method: 'GET',
    path: `${CONTROL}/projects/:name/members`,
    access: 'project:viewer',
    tags: ['members'],
    summary: "The project's members and their roles",
    description: 'With since=<cursor>: only the members added or changed since then, and the user ids of those removed.',
    params: projectParams,
    query: sinceQuery,
    responses: { 200: changesPage(memberSchema) },
  }),
  setMember: endpoint({
    method: 'PUT',
    path: `${CONTROL}/projects/:name/members/:user_id`,
    access: 'project:owner',
    tags: ['members'],
    summary: 'Add a member or change their role (owners and admins)',
    params: memberParams,
    body: memberPutSchema,
    responses: { 200: memberSchema },
  }),
  removeMember: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/projects/:name/members/:user_id`,
    access: 'project:owner',
    tags: ['members'],
    summary: 'Remove a member (owners and admins)',
    params: memberParams,
    responses: { 200: z.object({ removed: z.string() }) },
  }),

  // ——— environments and deployments of a project ———
  listEnvironments: endpoint({
    method: 'GET',
    path: `${CONTROL}/projects/:name/environments`,
    access: 'project:viewer',
    tags: ['environments'],
    summary: "The project's environments",
    description: 'With since=<cursor>: only those changed since, and the names of those deleted.',
    params: projectParams,
    query: sinceQuery,
    responses: { 200: changesPage(environmentSchema) },
  }),
  createEnvironment: endpoint({
    method: 'POST',
    path: `${CONTROL}/projects/:name/environments`,
    access: 'project:editor',
    tags: ['environments'],
    summary: 'Create an environment (owners, editors, admins)',
    description:
      "Its URL, {platform}/environments/{slug}, is unique on the platform: the value of CRAFT_AI_ENVIRONMENT_URL. Overrides left out (or null) use the project's settings.",
    params: projectParams,
    body: environmentCreateSchema,
    responses: { 201: environmentSchema },
  }),
  getEnvironment: endpoint({ method: 'GET', path: `${CONTROL}/projects/:name/environments/:env`, access: 'project:viewer', tags: ['environments'], summary: 'One environment', params: environmentParams, responses: { 200: environmentSchema } }),
  updateEnvironment: endpoint({
    method: 'PATCH',
    path: `${CONTROL}/projects/:name/environments/:env`,
    access: 'project:editor',
    tags: ['environments'],
    summary: "Edit an environment's overrides or put it in standby (owners, editors, admins); its name and URL never change",
    params: environmentParams,
    body: environmentUpdateSchema,
    responses: { 200: environmentSchema },
  }),
  deleteEnvironment: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/projects/:name/environments/:env`,
    access: 'project:editor',
    tags: ['environments'],
    summary: 'Delete an environment with its deployments, executions and logs (owners, editors, admins)',
    params: environmentParams,
    responses: { 200: z.object({ deleted: z.string() }) },
  }),
  listDeployments: endpoint({
    method: 'GET',
    path: `${CONTROL}/projects/:name/environments/:env/deployments`,
    access: 'project:viewer',
    tags: ['deployments'],
    summary: "The environment's deployments (since=<cursor>: changes only)",
    params: environmentParams,
    query: sinceQuery,
    responses: { 200: changesPage(deploymentSchema) },
  }),
  createDeployment: endpoint({
    method: 'POST',
    path: `${CONTROL}/projects/:name/environments/:env/deployments`,
    access: 'project:editor',
    tags: ['deployments'],
    summary: 'Deploy a pipeline: an endpoint, or periodic with a cron schedule (owners, editors, admins)',
    params: environmentParams,
    body: deploymentCreateSchema,
    responses: { 201: deploymentSchema },
  }),
  getDeployment: endpoint({ method: 'GET', path: `${CONTROL}/projects/:name/environments/:env/deployments/:deployment`, access: 'project:viewer', tags: ['deployments'], summary: 'One deployment', params: deploymentParams, responses: { 200: deploymentSchema } }),
  updateDeployment: endpoint({
    method: 'PATCH',
    path: `${CONTROL}/projects/:name/environments/:env/deployments/:deployment`,
    access: 'project:editor',
    tags: ['deployments'],
    summary: 'Enable, disable or reschedule a deployment (owners, editors, admins)',
    params: deploymentParams,
    body: deploymentUpdateSchema,
    responses: { 200: deploymentSchema },
  }),
  deleteDeployment: endpoint({
    method: 'DELETE',
    path: `${CONTROL}/projects/:name/environments/:env/deployments/:deployment`,
    access: 'project:editor',
    tags: ['deployments'],
    summary: 'Delete a deployment (its executions stay, naming it)',
    params: deploymentParams,
    responses: { 200: z.object({ deleted: z.string() }) },
  }),

  // ——— an environment's own API: what the Python SDK (craft-ai-sdk) reads, with its paths and keys ———
  environmentInfo: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/environment-info`,
    access: 'anonymous',
    tags: ['environment API'],
    summary: 'The environment this URL points at: its environment_id to anyone (the SDK sends no token here); its name, project and status to members',
    description: 'A token that does not give access to the project is answered as no token: nothing about the project is said to a stranger.',
    params: slugParams,
    responses: { 200: environmentInfoSchema },
  }),
  listExecutions: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/executions`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: 'Executions, filtered by status, pipeline, deployment, creator and creation date, sorted, cursor-paginated',
    description:
      "Pass next_cursor back as cursor for the next page (null: last page). With since=<changes_cursor of a previous answer>: the executions created or changed since then, oldest change first (the desktop cache's incremental sync).",
    params: slugParams,
    query: executionListQuerySchema,
    responses: { 200: executionPageSchema },
  }),
  getExecution: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/executions/:id`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "One execution, as get_pipeline_execution reads it: steps with where their code came from, inputs and outputs with their data type, mapping and value",
    description: 'include_io_values=false leaves the values out (get_pipeline_execution_input/_output then fetch one).',
    params: executionParams,
    query: executionQuerySchema,
    responses: { 200: executionSchema },
  }),
  getExecutionInput: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/executions/:id/inputs/:input_name`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "The value of one input, as the bare JSON body (null when it has none): what get_pipeline_execution_input returns as value",
    params: executionParams.extend({ input_name: name }),
    responses: { 200: z.unknown() },
  }),
  getExecutionOutput: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/executions/:id/outputs/:output_name`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "The value of one output, as the bare JSON body (null when it has none): what get_pipeline_execution_output returns as value",
    params: executionParams.extend({ output_name: name }),
    responses: { 200: z.unknown() },
  }),
  getExecutionOutputs: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/executions/:id/outputs`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "An execution's outputs (retrieve_pipeline_execution_outputs)",
    description:
      'With wait_for_completion=true and the execution still pending or running, the answer waits for its end (a while), then is a 307 to the same URL, which the SDK follows at once by asking again.',
    params: executionParams,
    query: waitQuerySchema,
    responses: { 200: executionOutputsSchema, 307: z.object({ message: z.string() }) },
  }),
  listPipelineExecutions: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/pipelines/:name/executions`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: 'The executions of a pipeline, newest first (at most limit)',
    params: slugParams.extend({ name }),
    query: z.object({ limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(1000) }).strict(),
    responses: { 200: z.array(executionSchema) },
  }),
  getExecutionLogs: endpoint({
    method: 'POST',
    path: `${ENVIRONMENT}/executions/:id/logs`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "An execution's logs from `from` (included) to `to` (excluded), oldest first, at most limit lines, as a list of log lists",
    description: 'from and to are epoch milliseconds, as get_pipeline_execution_logs sends them (ISO 8601 date-times are accepted too). The answer is [[{timestamp, message}, …]]: the SDK returns its first list.',
    params: executionParams,
    body: logQuerySchema,
    responses: { 200: executionLogsSchema },
  }),
  listEnvironmentDeployments: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/deployments`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "The environment's deployments, as list_deployments reads them (the same deployments as the project routes)",
    params: slugParams,
    responses: { 200: z.array(sdkDeploymentItemSchema) },
  }),
  getEnvironmentDeployment: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/deployments/:deployment`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: 'One deployment, as get_deployment reads it',
    description: 'With wait_for_completion=true and the deployment still being created, the answer waits for a final status a while, then says the status it has.',
    params: environmentDeploymentParams,
    query: waitQuerySchema,
    responses: { 200: sdkDeploymentSchema },
  }),
  getLatestDeploymentExecution: endpoint({
    method: 'GET',
    path: `${ENVIRONMENT}/deployments/:deployment/executions/latest`,
    access: 'environment:viewer',
    tags: ['environment API'],
    summary: "A deployment's newest execution (get_deployment reads its execution_id); 204 when it has none yet",
    params: environmentDeploymentParams,
    responses: { 200: executionSchema, 204: z.null() },
  }),

  // ——— what a runner calls (an access token from the SDK token of a user who may edit the project) ———
  createExecution: endpoint({
    method: 'POST',
    path: `${ENVIRONMENT}/executions`,
    access: 'environment:editor',
    tags: ['runner'],
    summary: 'Record a new execution (status pending)',
    params: slugParams,
    body: executionCreateSchema,
    responses: { 201: executionSchema },
  }),
  updateExecution: endpoint({
    method: 'PATCH',
    path: `${ENVIRONMENT}/executions/:id`,
    access: 'environment:editor',
    tags: ['runner'],
    summary: 'Move an execution through its statuses (pending → running → succeeded | failed | cancelled), report steps and outputs',
    params: executionParams,
    body: executionUpdateSchema,
    responses: { 200: executionSchema },
  }),
  appendExecutionLogs: endpoint({
    method: 'POST',
    path: `${ENVIRONMENT}/executions/:id/log-lines`,
    access: 'environment:editor',
    tags: ['runner'],
    summary: 'Append log lines to an execution (timestamp defaults to now)',
    params: executionParams,
    body: logAppendSchema,
    responses: { 200: z.object({ appended: z.number().int() }) },
  }),

  // ——— operating a team platform: health for the load balancer, metrics for Prometheus ———
  health: endpoint({
    method: 'GET',
    path: '/healthz',
    access: 'anonymous',
    tags: ['operations'],
    summary: 'Alive: the process answers (a liveness probe; it reads nothing)',
    responses: { 200: healthSchema },
  }),
  readiness: endpoint({
    method: 'GET',
    path: '/readyz',
    access: 'anonymous',
    tags: ['operations'],
    summary: 'Ready: the database answers and every migration this version needs is applied (503 otherwise, and while shutting down)',
    responses: { 200: readinessSchema, 503: readinessSchema },
  }),
  metrics: endpoint({
    method: 'GET',
    path: '/metrics',
    access: 'anonymous',
    tags: ['operations'],
    summary: 'Prometheus metrics: requests and latency by route, errors, the database pool, the process',
    description:
      'Off (404) unless the platform has a metrics token (CRAFT_METRICS_TOKEN); then it needs "Authorization: Bearer <that token>" (Prometheus: authorization.credentials_file), not a user\'s sign-in. Text exposition format.',
    responses: { 200: z.string() },
  }),

  openApiDocument: endpoint({
    method: 'GET',
    path: `${CONTROL}/openapi.json`,
    access: 'anonymous',
    tags: ['meta'],
    summary: 'This document',
    responses: { 200: z.record(z.string(), z.unknown()) },
  }),
} as const satisfies Record<string, EndpointDefinition>;

export type PlatformContract = typeof platformContract;

// ——— SDK calls outside this platform's scope ———

/** A family of SDK calls this platform does not serve: each of its routes answers 404 {error, name: 'NotProvided', message, request_id}. */
export interface NotProvidedFamily {
  /** In the message: "This platform does not provide {what} ({METHOD} {path})." */
  what: string;
  /** The SDK functions that land here. */
  sdkCalls: readonly string[];
  routes: readonly { methods: readonly HttpMethod[]; path: `/${string}` }[];
}

/** Routes of the SDK's other calls: a clean 404 the SDK turns into "[NotProvided] This platform does not provide …", never a crash. */
export const notProvidedContract = {
  pipelines: {
    what: 'pipelines or their runs',
    sdkCalls: ['create_pipeline', 'get_pipeline', 'list_pipelines', 'delete_pipeline', 'download_pipeline_local_folder', 'get_pipeline_logs', 'run_pipeline', 'pipeline templates'],
    routes: [
      { methods: ['GET', 'POST'], path: `${ENVIRONMENT}/pipelines` },
      { methods: ['GET', 'POST', 'DELETE'], path: `${ENVIRONMENT}/pipelines/*` },
      { methods: ['GET'], path: `${ENVIRONMENT}/pipeline-templates` },
      { methods: ['GET'], path: `${ENVIRONMENT}/pipeline-templates/*` },
      { methods: ['GET'], path: `${ENVIRONMENT}/project-information` },
    ],
  },
  steps: {
    what: 'steps',
    sdkCalls: ['create_step', 'get_step', 'list_steps', 'delete_step', 'download_step_local_folder', 'get_step_logs'],
    routes: [
      { methods: ['GET', 'POST'], path: `${ENVIRONMENT}/steps` },
      { methods: ['GET', 'POST', 'DELETE'], path: `${ENVIRONMENT}/steps/*` },
    ],
  },
  dataStore: {
    what: 'a data store',
    sdkCalls: ['get_data_store_object_information', 'list_data_store_objects', 'upload_data_store_object', 'download_data_store_object', 'delete_data_store_object'],
    routes: [{ methods: ['GET', 'POST', 'DELETE'], path: `${ENVIRONMENT}/data-store/*` }],
  },
  environmentVariables: {
    what: 'environment variables',
    sdkCalls: ['create_or_update_environment_variable', 'list_environment_variables', 'delete_environment_variable'],
    routes: [
      { methods: ['GET', 'PUT'], path: `${ENVIRONMENT}/environment-variables` },
      { methods: ['DELETE'], path: `${ENVIRONMENT}/environment-variables/*` },
    ],
  },
  metrics: {
    what: 'metrics',
    sdkCalls: ['record_metric_value', 'record_list_metric_values', 'get_metrics', 'get_list_metrics', 'get_resource_metrics'],
    routes: [
      { methods: ['GET', 'PUT', 'POST'], path: `${ENVIRONMENT}/metrics/*` },
      { methods: ['GET'], path: `${ENVIRONMENT}/resource-metrics` },
    ],
  },
  vectorDatabase: {
    what: 'a vector database',
    sdkCalls: ['get_vector_database_credentials'],
    routes: [{ methods: ['GET'], path: `${CONTROL}/environments/:id/vector-database` }],
  },
  endpointsAndDeploymentChanges: {
    what: 'endpoints, or creating, changing or deleting deployments from the SDK',
    sdkCalls: ['create_deployment', 'update_deployment', 'delete_deployment', 'get_deployment_logs', 'trigger_endpoint', 'retrieve_endpoint_results', 'generate_new_endpoint_token'],
    routes: [
      { methods: ['POST'], path: `${ENVIRONMENT}/endpoints` },
      { methods: ['POST'], path: `${ENVIRONMENT}/endpoints/*` },
      { methods: ['POST'], path: `${ENVIRONMENT}/periodic-deployment` },
      { methods: ['POST', 'PATCH', 'DELETE'], path: `${ENVIRONMENT}/deployments/*` },
      { methods: ['GET', 'POST'], path: '/environments/:slug/endpoints/*' },
    ],
  },
  executionDeletion: {
    what: 'deleting executions',
    sdkCalls: ['delete_pipeline_execution'],
    routes: [{ methods: ['DELETE'], path: `${ENVIRONMENT}/executions/:id` }],
  },
} as const satisfies Record<string, NotProvidedFamily>;

/** Every not-provided route, one per method and path. */
export const NOT_PROVIDED_ROUTES: readonly { family: keyof typeof notProvidedContract; method: HttpMethod; path: string }[] = Object.entries(notProvidedContract).flatMap(([family, { routes }]) =>
  routes.flatMap(({ methods, path }) => methods.map((method) => ({ family: family as keyof typeof notProvidedContract, method, path }))),
);
export type EndpointName = keyof PlatformContract;
export const ENDPOINT_NAMES = Object.keys(platformContract) as EndpointName[];

type SchemaIn<S> = S extends z.ZodType ? z.input<S> : never;
type SchemaOut<S> = S extends z.ZodType ? z.output<S> : never;
type PartOf<E, K extends 'params' | 'query' | 'body'> = E extends { [P in K]: infer S } ? S : undefined;
/** A part of a call, which the caller may leave out when its schema accepts undefined (a default, or optional). */
type Part<K extends string, S, optional extends boolean = false> = [S] extends [z.ZodType]
  ? optional extends true
    ? { [P in K]?: z.input<S> }
    : undefined extends z.input<S>
      ? { [P in K]?: z.input<S> }
      : { [P in K]: z.input<S> }
  : unknown;

/** What a caller sends: the path's params, the query (always optional), the body (each only where the endpoint has one). */
export type EndpointInput<N extends EndpointName> = Part<'params', PartOf<PlatformContract[N], 'params'>> &
  Part<'query', PartOf<PlatformContract[N], 'query'>, true> &
  Part<'body', PartOf<PlatformContract[N], 'body'>>;

/** What the platform answers on success (any of the endpoint's success statuses). */
export type EndpointOutput<N extends EndpointName> = SchemaOut<PlatformContract[N]['responses'][keyof PlatformContract[N]['responses']]>;
/** What a handler may return: the answer before the schema's defaults and transforms. */
export type EndpointResult<N extends EndpointName> = SchemaIn<PlatformContract[N]['responses'][keyof PlatformContract[N]['responses']]>;

/** The parsed request a handler receives. */
export interface EndpointRequest<N extends EndpointName> {
  params: PlatformContract[N] extends { params: infer S } ? SchemaOut<S> : Record<string, never>;
  query: PlatformContract[N] extends { query: infer S } ? SchemaOut<S> : Record<string, never>;
  body: PlatformContract[N] extends { body: infer S } ? SchemaOut<S> : undefined;
}

/** The concrete path of a call, e.g. /api/v1/projects/demo for getProject {name: 'demo'}. */
export function endpointPath(definition: EndpointDefinition, params: Record<string, unknown> = {}): string {
  return definition.path.replace(/:([a-z_]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined || value === null || value === '') throw new Error(`${definition.method} ${definition.path}: the path parameter ${key} is missing`);
    return encodeURIComponent(String(value));
  });
}

/** The query string of a call ("" when there is none), undefined values left out. */
export function endpointQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
