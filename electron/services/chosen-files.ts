// Files the user chose to write (a .env, an exported deploy key pair), for the desktop and craft
// alike: an absolute path only, and an existing file is replaced only when the user said so
// (`overwrite`, after a confirmation or --force) — never silently, not even in a race, since
// the new file is linked into place (link fails when the name is taken) rather than renamed over it.
import { chmodSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
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
      throw fileProblem(error, file.path, options.field, 'write');
    }
  }
}

/**
 * A file system failure in plain words, naming the path and what is wrong with it (never a bare
 * EISDIR or ENOENT): the AppError to show at the field.
 */
export function fileProblem(error: unknown, path: string, field: string, doing: 'read' | 'write'): AppError {
  const code = (error as NodeJS.ErrnoException).code;
  const folder = dirname(path);
  const why = (() => {
    switch (code) {
      case 'EISDIR':
        return `${path} is a folder: give the path of a file in it, such as ${path.replace(/[\\/]+$/, '')}/.env`;
      case 'ENOENT':
        return doing === 'write' ? `the folder ${folder} does not exist: create it first, or choose another folder` : `${path} does not exist`;
      case 'ENOTDIR':
        return `a part of ${folder} is a file, not a folder`;
      case 'EACCES':
      case 'EPERM':
        return `you are not allowed to ${doing} ${doing === 'write' ? `in ${folder}` : path} (permission denied)`;
      case 'EROFS':
        return `${folder} is on a read-only disk`;
      case 'ENOSPC':
      case 'EDQUOT':
        return `the disk holding ${folder} is full`;
      case 'ENAMETOOLONG':
        return `the path is too long`;
      case 'ELOOP':
        return `${path} is a symbolic link that points to itself`;
      default:
        return `cannot ${doing} ${path}${code ? ` (${code})` : ''}`;
    }
  })();
  return new AppError('validation', `${field}: ${why}`, field);
}
