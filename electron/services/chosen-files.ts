// Files the user chose to write (a .env, an exported deploy key pair), for the desktop and craft
// alike: an absolute path only, and an existing file is replaced only when the user said so
// (`overwrite`, after a confirmation or --force) — never silently, not even in a race, since
// the new file is linked into place (link fails when the name is taken) rather than renamed over it.
import { chmodSync, existsSync } from 'node:fs';
import { AppError } from '../../domain/errors.js';
import { absolutePathRule, isAbsolutePath } from '../../domain/rules.js';
import { writeFileAtomic } from './connections.js';

/** Shown in the absolute-path rule's message. */
export const DOTENV_EXAMPLE = '/home/you/project/.env';
export const DEPLOY_KEY_EXAMPLE = '/home/you/.ssh/craft_deploy_key';

export interface ChosenFile {
  path: string;
  content: string;
  mode: number;
}

const taken = (path: string, field: string) => new AppError('conflict', `${field}: ${path} already exists: confirm to replace it`, field);

/** Refuses a relative path, and (without `overwrite`) a path already taken; nothing is written. */
export function checkChosenPaths(paths: string[], options: { overwrite: boolean; field: string; example: string }): void {
  for (const path of paths) if (!isAbsolutePath(path)) throw new AppError('validation', `${options.field}: ${absolutePathRule(options.example)}`, options.field);
  if (!options.overwrite) for (const path of paths) if (existsSync(path)) throw taken(path, options.field);
}

/** Writes each file atomically with its mode, after checkChosenPaths (all paths checked before any is written). */
export function writeChosenFiles(files: ChosenFile[], options: { overwrite: boolean; field: string; example: string }): void {
  checkChosenPaths(files.map((f) => f.path), options);
  for (const file of files) {
    try {
      writeFileAtomic(file.path, file.content, file.mode, { replace: options.overwrite });
      chmodSync(file.path, file.mode); // also when it replaced a wider file
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw taken(file.path, options.field);
      throw new AppError('validation', `${options.field}: cannot write ${file.path} (${code ?? 'write failed'})`, options.field);
    }
  }
}
