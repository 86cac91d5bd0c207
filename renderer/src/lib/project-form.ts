// The editable settings of a project as a form: labels, text ⇄ values, validation with
// the domain's rules, and the list of changes against the saved project.
import { projectUpdateSchema, type Project } from '../../../domain/project.js';
import { checkField, lines, words } from './fields.js';

export type SettingsField =
  | 'python_version'
  | 'repository_url'
  | 'default_branch'
  | 'folders'
  | 'requirements_path'
  | 'system_dependencies';

export const SETTINGS_FIELDS: Record<SettingsField, { id: string; label: string; item?: string }> = {
  python_version: { id: 'settings-python-version', label: 'Python version' },
  repository_url: { id: 'settings-repository-url', label: 'Repository URL' },
  default_branch: { id: 'settings-default-branch', label: 'Default branch' },
  folders: { id: 'settings-folders', label: 'Folders', item: 'Folder' },
  requirements_path: { id: 'settings-requirements-path', label: 'Requirements.txt' },
  system_dependencies: { id: 'settings-system-dependencies', label: 'System dependencies', item: 'Package' },
};
export const SETTINGS_ORDER = Object.keys(SETTINGS_FIELDS) as SettingsField[];

/** What the inputs hold: lists as text, one item per line (folders) or per word (packages). */
export type SettingsText = Record<SettingsField, string>;

/** What is sent: only the changed fields; a new key travels as the host's key_id handle. */
export interface SettingsPatch {
  python_version?: string;
  repository_url?: string;
  default_branch?: string;
  folders?: string[];
  requirements_path?: string;
  system_dependencies?: string[];
  deploy_key_id?: string;
}

export interface SettingsChange {
  field: SettingsField | 'deploy_key';
  label: string;
  from: string;
  to: string;
}

export function textOf(project: Project): SettingsText {
  return {
    python_version: project.python_version,
    repository_url: project.repository_url,
    default_branch: project.default_branch,
    folders: project.folders.join('\n'),
    requirements_path: project.requirements_path,
    system_dependencies: project.system_dependencies.join(' '),
  };
}

export function valueOf(text: SettingsText, field: SettingsField): string | string[] {
  switch (field) {
    case 'folders':
      return lines(text.folders);
    case 'system_dependencies':
      return words(text.system_dependencies);
    default:
      return text[field].trim();
  }
}

/** The rule a field breaks, as "<label> <rule>", or null. */
export function checkSetting(text: SettingsText, field: SettingsField): string | null {
  const { label, item } = SETTINGS_FIELDS[field];
  return checkField(projectUpdateSchema.shape[field], valueOf(text, field), label, item);
}

function shown(value: string | string[], field: SettingsField): string {
  if (Array.isArray(value)) return value.length > 0 ? value.join(field === 'folders' ? ', ' : ' ') : '(none)';
  if (value === '') return field === 'default_branch' ? "(the repository's default)" : '(none)';
  return value;
}

function same(a: string | string[], b: string | string[]): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** The fields whose value differs from the saved project, in form order. */
export function changesOf(
  project: Project,
  text: SettingsText,
  newKey: { key_id: string; fingerprint: string } | null,
): { changes: SettingsChange[]; patch: SettingsPatch } {
  const saved = textOf(project);
  const changes: SettingsChange[] = [];
  const patch: SettingsPatch = {};
  for (const field of SETTINGS_ORDER) {
    const before = valueOf(saved, field);
    const after = valueOf(text, field);
    if (same(before, after)) continue;
    changes.push({ field, label: SETTINGS_FIELDS[field].label, from: shown(before, field), to: shown(after, field) });
    (patch as Record<string, unknown>)[field] = after;
  }
  if (newKey) {
    changes.push({ field: 'deploy_key', label: 'Deploy key', from: project.deploy_key_fingerprint, to: newKey.fingerprint });
    patch.deploy_key_id = newKey.key_id;
  }
  return { changes, patch };
}
