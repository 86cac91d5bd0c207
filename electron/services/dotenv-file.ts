// The one .env writer, for the desktop's "Write .env" and `craft env export --out`: it sets the SDK's
// variables in the file the user chose and keeps everything else in it (domain/dotenv.ts merges),
// shows what it will change before it changes an existing file, and tells whether git would commit it.
import { appendFileSync, chmodSync, existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import ignore from 'ignore';
import { AppError } from '../../domain/errors.js';
import { mergeDotEnv, dotEnvUpToDate, type DotEnvPlan } from '../../domain/dotenv.js';
import { sdkVariables } from '../../domain/environment.js';
import { absolutePathRule, isAbsolutePath } from '../../domain/rules.js';
import { DOTENV_EXAMPLE, fileProblem } from './chosen-files.js';
import { writeFileAtomic } from './connections.js';

export interface DotEnvOptions {
  /** The input named in errors: `path` for the desktop, `out` for craft. */
  field?: string;
  home?: string;
}

/** `~` and `~/…` are the user's home folder; any other path must be absolute. */
export function expandHome(path: string, field = 'path', home = homedir()): string {
  const trimmed = path.trim();
  if (trimmed === '~' || trimmed.startsWith('~/')) return join(home, trimmed.slice(1));
  if (trimmed.startsWith('~')) throw new AppError('validation', `${field}: only ~ (your own home folder) can start a path, such as ~/project/.env`, field);
  if (!isAbsolutePath(trimmed)) throw new AppError('validation', `${field}: ${absolutePathRule(DOTENV_EXAMPLE)} or ~/project/.env`, field);
  return trimmed;
}

/** The file to write: ~ expanded, a symbolic link followed, a folder or a missing folder refused in words. */
function resolveTarget(path: string, field: string, home: string): string {
  const expanded = expandHome(path, field, home);
  let target = expanded;
  try {
    if (lstatSync(expanded).isSymbolicLink()) target = realpathSync(expanded);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A dangling link, or no file yet: the folder must exist.
      if (!existsSync(dirname(expanded))) throw fileProblem(error, expanded, field, 'write');
      if (!statSync(dirname(expanded)).isDirectory()) throw fileProblem({ code: 'ENOTDIR' }, expanded, field, 'write');
      return expanded;
    }
    throw fileProblem(error, expanded, field, 'write');
  }
  if (statSync(target).isDirectory()) throw fileProblem({ code: 'EISDIR' }, target, field, 'write');
  return target;
}

/** The git repository holding a folder (the nearest parent with a .git), or null. */
function repositoryOf(folder: string): string | null {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Whether git would leave the file out: the repository's .gitignore files down to its folder, and .git/info/exclude. */
function gitStatus(file: string): DotEnvPlan['git'] {
  const root = repositoryOf(dirname(file));
  if (!root) return null;
  const rel = relative(root, file).split(sep).join('/');
  let ignored = false;
  const rules = ignore().add(readIfThere(join(root, '.git', 'info', 'exclude')));
  const parts = rel.split('/');
  // Each folder's .gitignore speaks of paths below it.
  for (let depth = 0; depth < parts.length; depth++) {
    const folder = parts.slice(0, depth).join('/');
    const text = readIfThere(join(root, folder, '.gitignore'));
    const local = ignore().add(text);
    const below = parts.slice(depth).join('/');
    if (local.ignores(below)) ignored = true;
    else if (text && local.test(below).unignored) ignored = false;
  }
  if (rules.ignores(rel)) ignored = true;
  return { gitignore: join(root, '.gitignore'), ignored };
}

interface Planned {
  plan: DotEnvPlan;
  content: string;
  original: string | null;
}

function planFor(path: string, values: { url: string; token: string }, options: DotEnvOptions): Planned {
  const field = options.field ?? 'path';
  const target = resolveTarget(path, field, options.home ?? homedir());
  let original: string | null = null;
  let narrows = false;
  if (existsSync(target)) {
    try {
      original = readFileSync(target, 'utf8');
      narrows = (statSync(target).mode & 0o077) !== 0;
    } catch (error) {
      throw fileProblem(error, target, field, 'read');
    }
  }
  let merged;
  try {
    merged = mergeDotEnv(original, sdkVariables(values.url, values.token));
  } catch (error) {
    throw new AppError('validation', `${field}: ${(error as Error).message}`, field);
  }
  const plan: DotEnvPlan = { path: target, exists: original !== null, changes: merged.changes, kept_lines: merged.kept_lines, narrows_mode: narrows, git: gitStatus(target) };
  return { plan, content: merged.content, original };
}

/** What writing would change, without writing: for the preview the user confirms. No value (so no token) in it. */
export function planDotEnv(path: string, values: { url: string; token: string }, options: DotEnvOptions = {}): DotEnvPlan {
  return planFor(path, values, options).plan;
}

/**
 * Sets the SDK's variables (CRAFT_AI_ENVIRONMENT_URL, CRAFT_AI_SDK_TOKEN, CRAFT_AI_CONTROL_URL) in a .env
 * file, keeping every other line; the file ends up readable by its owner only (0600), written atomically.
 * An existing file is changed only with `confirmed` (the user saw the plan), else AppError 'conflict';
 * a file already up to date is left alone. Returns the plan carried out, and whether anything was written.
 */
export function writeDotEnv(
  path: string,
  values: { url: string; token: string },
  options: DotEnvOptions & { confirmed?: boolean } = {},
): DotEnvPlan & { written: boolean } {
  const field = options.field ?? 'path';
  const { plan, content, original } = planFor(path, values, options);
  if (dotEnvUpToDate(plan)) return { ...plan, written: false };
  if (plan.exists && !options.confirmed) throw new AppError('conflict', `${field}: ${plan.path} already exists: confirm the changes to its SDK variables (its other lines are kept)`, field);
  // Changed since it was read: start again rather than lose what was just written there.
  if (plan.exists && readIfThere(plan.path) !== original) throw new AppError('conflict', `${field}: ${plan.path} changed while it was being updated: try again`, field);
  try {
    writeFileAtomic(plan.path, content, 0o600, { replace: plan.exists });
    chmodSync(plan.path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new AppError('conflict', `${field}: ${plan.path} appeared while it was being written: try again`, field);
    throw fileProblem(error, plan.path, field, 'write');
  }
  return { ...plan, written: true };
}

/**
 * Adds a .env file to its repository's .gitignore (created if missing), so that the token is not
 * committed: `.env` for a file at the root, else its path from the root. Nothing when already ignored.
 */
export function ignoreInGit(path: string, options: DotEnvOptions = {}): { gitignore: string; line: string; added: boolean } {
  const field = options.field ?? 'path';
  const target = resolveTarget(path, field, options.home ?? homedir());
  const git = gitStatus(target);
  if (!git) throw new AppError('validation', `${field}: ${dirname(target)} is not in a git repository`, field);
  const rel = relative(dirname(git.gitignore), target).split(sep).join('/');
  const line = rel.includes('/') ? `/${rel}` : basename(target);
  if (git.ignored) return { gitignore: git.gitignore, line, added: false };
  const text = readIfThere(git.gitignore);
  const addition = `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
  try {
    appendFileSync(git.gitignore, addition);
  } catch (error) {
    throw fileProblem(error, git.gitignore, field, 'write');
  }
  return { gitignore: git.gitignore, line, added: true };
}
