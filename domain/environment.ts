// Environments and deployments of a project, as the platform stores and returns them.
import { z } from 'zod';
import { branchName, filePath, folderPath, resourceName, systemPackageName } from './rules.js';

export const ENVIRONMENT_STATUSES = ['creating', 'ready', 'standby', 'failed'] as const;
export const environmentStatus = z.enum(ENVIRONMENT_STATUSES, { error: `must be one of ${ENVIRONMENT_STATUSES.join(', ')}` });

/** Optional overrides of the project's settings; null (or absent) means "use the project's". */
const overridesShape = {
  default_branch: branchName.nullable(),
  folders: z.array(folderPath, { error: 'must be a list of folders' }).min(1, 'needs at least one folder (use "/" for the whole repository)').max(100, 'must have at most 100 folders').nullable(),
  requirements_path: filePath.nullable(),
  system_dependencies: z.array(systemPackageName, { error: 'must be a list of package names' }).max(200, 'must have at most 200 packages').nullable(),
};

export const environmentCreateSchema = z
  .object({ name: resourceName, ...overridesShape })
  .partial({ default_branch: true, folders: true, requirements_path: true, system_dependencies: true })
  .strict();
export type EnvironmentCreate = z.input<typeof environmentCreateSchema>;

export const environmentUpdateSchema = z
  .object({ status: z.enum(['ready', 'standby'], { error: 'must be ready or standby' }), ...overridesShape })
  .partial()
  .strict();

export const environmentSchema = z.object({
  name: z.string(),
  project_name: z.string(),
  slug: z.string(),
  /** The value of CRAFT_AI_ENVIRONMENT_URL: {platform}/environments/{slug}. */
  url: z.string(),
  status: environmentStatus,
  default_branch: z.string().nullable(),
  folders: z.array(z.string()).nullable(),
  requirements_path: z.string().nullable(),
  system_dependencies: z.array(z.string()).nullable(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string(),
});
export type Environment = z.infer<typeof environmentSchema>;

/** Where the SDK goes for its token when CRAFT_AI_CONTROL_URL is not set: Craft AI's own platform, never ours. */
export const SDK_DEFAULT_CONTROL_URL = 'https://mlops-platform.craft.ai';

/** The platform's base URL (CRAFT_AI_CONTROL_URL) from an environment's URL, {platform}/environments/{slug}. */
export function controlUrlOf(environmentUrl: string): string {
  return environmentUrl.replace(/\/+$/, '').replace(/\/environments\/[^/]+$/, '');
}

/** The SDK variables that reach an environment: CRAFT_AI_CONTROL_URL only where the SDK's default would miss our platform. */
export function sdkVariables(environmentUrl: string, sdkToken: string): Record<string, string> {
  const control = controlUrlOf(environmentUrl);
  return {
    CRAFT_AI_ENVIRONMENT_URL: environmentUrl,
    CRAFT_AI_SDK_TOKEN: sdkToken,
    ...(control === SDK_DEFAULT_CONTROL_URL ? {} : { CRAFT_AI_CONTROL_URL: control }),
  };
}

export const DEPLOYMENT_TYPES = ['endpoint', 'periodic'] as const;
export const DEPLOYMENT_STATUSES = ['creating', 'up', 'down', 'failed'] as const;

/** A cron expression of 5 fields (minute hour day month weekday). */
export const cronSchedule = z
  .string()
  .trim()
  .max(200, 'must be at most 200 characters')
  .regex(/^(\S+\s+){4}\S+$/, 'must be a cron expression of 5 fields, e.g. "0 3 * * *"');

export const deploymentCreateSchema = z
  .object({
    name: resourceName,
    pipeline_name: resourceName,
    type: z.enum(DEPLOYMENT_TYPES, { error: `must be one of ${DEPLOYMENT_TYPES.join(', ')}` }),
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    schedule: cronSchedule.optional(),
  })
  .strict()
  .refine((d) => d.type !== 'periodic' || !!d.schedule, { message: 'is required for a periodic deployment', path: ['schedule'] })
  .refine((d) => d.type !== 'endpoint' || !d.schedule, { message: 'is only for periodic deployments', path: ['schedule'] });

export const deploymentUpdateSchema = z
  .object({ enabled: z.boolean({ error: 'must be true or false' }), schedule: cronSchedule, status: z.enum(DEPLOYMENT_STATUSES, { error: `must be one of ${DEPLOYMENT_STATUSES.join(', ')}` }) })
  .partial()
  .strict();

export const deploymentSchema = z.object({
  name: z.string(),
  environment_name: z.string(),
  pipeline_name: z.string(),
  type: z.enum(DEPLOYMENT_TYPES),
  enabled: z.boolean(),
  status: z.enum(DEPLOYMENT_STATUSES),
  schedule: z.string().nullable(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

// ——— deployments as the SDK reads them ({environment_url}/api/v1/deployments) ———

/** The SDK's deployment statuses; get_deployment(wait_for_completion=True) waits until up, creation_failed, disabled or standby. */
export const SDK_DEPLOYMENT_STATUSES = ['creation_pending', 'up', 'creation_failed', 'down_retrying', 'standby', 'disabled'] as const;
/** Our deployments have no serving modes: every one is what the SDK calls elastic. */
export const DEPLOYMENT_MODE = 'elastic';

/** list_deployments(): one item per deployment. */
export const sdkDeploymentItemSchema = z.object({
  name: z.string(),
  pipeline_name: z.string(),
  execution_rule: z.enum(DEPLOYMENT_TYPES),
  mode: z.string(),
  is_enabled: z.boolean(),
  status: z.enum(SDK_DEPLOYMENT_STATUSES),
  created_at: z.string(),
});

/** get_deployment(name): the deployment; the SDK then asks for its latest execution. */
export const sdkDeploymentSchema = sdkDeploymentItemSchema.omit({ pipeline_name: true }).extend({
  pipeline: z.object({ name: z.string() }),
  description: z.string().nullable(),
  inputs_mapping: z.array(z.record(z.string(), z.unknown())),
  outputs_mapping: z.array(z.record(z.string(), z.unknown())),
  /** Periodic deployments only. */
  schedule: z.string().optional(),
  human_readable_schedule: z.string().optional(),
  created_by: z.string(),
  updated_at: z.string(),
  updated_by: z.string(),
});

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NUMBER = /^\d+$/;

function listOf(field: string, names: string[]): string | null {
  const parts = field.split(',').map((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range && names[Number(range[1])] && names[Number(range[2])]) return `${names[Number(range[1])]} to ${names[Number(range[2])]}`;
    return NUMBER.test(part) && names[Number(part)] ? names[Number(part)]! : null;
  });
  return parts.every((p) => p !== null) ? parts.join(', ') : null;
}

/** A cron schedule in words, e.g. "0 3 * * 1-5" → "At 03:00, Monday to Friday"; the expression itself when it is unusual. */
export function describeCron(schedule: string): string {
  const [minute, hour, day, month, weekday] = schedule.trim().split(/\s+/) as [string, string, string, string, string];
  const every = /^\*\/(\d+)$/;
  let time: string | null = null;
  if (NUMBER.test(minute) && NUMBER.test(hour)) time = `At ${hour.padStart(2, '0')}:${minute.padStart(2, '0')}`;
  else if (minute === '*' && hour === '*') time = 'Every minute';
  else if (every.test(minute) && hour === '*') time = `Every ${every.exec(minute)![1]} minutes`;
  else if (NUMBER.test(minute) && hour === '*') time = `At minute ${minute} of every hour`;
  else if (NUMBER.test(minute) && every.test(hour)) time = `At minute ${minute} of every ${every.exec(hour)![1]} hours`;
  const days: string[] = [];
  if (weekday !== '*') days.push(listOf(weekday, WEEKDAYS) ?? '');
  if (day !== '*') days.push(NUMBER.test(day) ? `on day ${day} of the month` : '');
  if (month !== '*') days.push(listOf(month, MONTHS) ? `in ${listOf(month, MONTHS)}` : '');
  if (time === null || days.includes('')) return `On the cron schedule "${schedule.trim()}"`;
  return `${time}, ${days.length === 0 ? 'every day' : days.join(', ')}`;
}
