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
