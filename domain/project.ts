import { z } from 'zod';
import { branchName, filePath, folderPath, pythonVersion, repositoryUrl, resourceName, systemPackageName } from './rules.js';
import { deployKeyText } from './deploy-key.js';

/** The editable settings of a project (everything but its name and its key). */
export const projectSettingsShape = {
  python_version: pythonVersion,
  repository_url: repositoryUrl,
  default_branch: branchName.default(''),
  folders: z.array(folderPath, { error: 'must be a list of folders' }).min(1, 'needs at least one folder (use "/" for the whole repository)').max(100, 'must have at most 100 folders').default(['/']),
  requirements_path: filePath.default(''),
  system_dependencies: z.array(systemPackageName, { error: 'must be a list of package names' }).max(200, 'must have at most 200 packages').default([]),
};

/** POST /api/v1/projects: the fields of the creation page, deploy_key write-only. */
export const projectCreateSchema = z
  .object({ name: resourceName, ...projectSettingsShape, deploy_key: deployKeyText })
  .strict();
export type ProjectCreate = z.input<typeof projectCreateSchema>;

/** PATCH /api/v1/projects/{name}: every field but the name; deploy_key replaces the key. */
export const projectUpdateSchema = z
  .object({
    python_version: projectSettingsShape.python_version,
    repository_url: projectSettingsShape.repository_url,
    default_branch: branchName,
    folders: z.array(folderPath).min(1, 'needs at least one folder (use "/" for the whole repository)').max(100),
    requirements_path: filePath,
    system_dependencies: z.array(systemPackageName).max(200),
    deploy_key: deployKeyText,
  })
  .partial()
  .strict();
export type ProjectUpdate = z.input<typeof projectUpdateSchema>;

/** A project as the platform returns it: never the private key. */
export const projectSchema = z.object({
  name: z.string(),
  python_version: z.string(),
  repository_url: z.string(),
  default_branch: z.string(),
  folders: z.array(z.string()),
  requirements_path: z.string(),
  system_dependencies: z.array(z.string()),
  deploy_key_public: z.string(),
  deploy_key_fingerprint: z.string(),
  created_at: z.string(),
  created_by: z.string(),
  updated_at: z.string(),
  // Filled where the platform knows it; optional so older caches stay readable.
  environment_count: z.number().int().optional(),
  last_execution_status: z.string().nullable().optional(),
  role: z.string().optional(),
});
export type Project = z.infer<typeof projectSchema>;
