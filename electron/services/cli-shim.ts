// "Install the craft command in PATH", as editors do for theirs: a small launcher that runs
// the app's bundled CLI with the app's own runtime (ELECTRON_RUN_AS_NODE), so the command
// uses the same native modules, the same keychain entries and the same connections.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { shellQuote } from '../../domain/dotenv.js';

export interface CliShimOptions {
  /** The runtime to start: the app's executable (Electron), or node. */
  executable: string;
  /** The bundled CLI script it runs. */
  script: string;
  platform?: NodeJS.Platform;
  /** Where to put the command; default ~/.local/bin (Linux, macOS) or %LOCALAPPDATA%\Programs\craft\bin (Windows). */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CliShimResult {
  path: string;
  /** False when the folder is not on PATH yet: the message says how to add it. */
  on_path: boolean;
  message: string;
}

export function defaultShimDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Programs', 'craft', 'bin');
  return join(homedir(), '.local', 'bin');
}

export function installCliShim(options: CliShimOptions): CliShimResult {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const dir = options.dir ?? defaultShimDir(platform, env);
  mkdirSync(dir, { recursive: true });
  let path: string;
  if (platform === 'win32') {
    path = join(dir, 'craft.cmd');
    writeFileSync(path, `@echo off\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${options.executable}" "${options.script}" %*\r\n`);
  } else {
    path = join(dir, 'craft');
    writeFileSync(path, `#!/bin/sh\n# The craft command of Craft MLOps Desktop (installed from the app's menu).\nELECTRON_RUN_AS_NODE=1 exec ${shellQuote(options.executable)} ${shellQuote(options.script)} "$@"\n`);
    chmodSync(path, 0o755);
  }
  const onPath = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : delimiter).includes(dir);
  const message = onPath
    ? `The craft command is installed: ${path}. Open a new terminal and run \`craft --help\`.`
    : `The craft command is installed in ${dir}, which is not on your PATH yet: add it (${platform === 'win32' ? `setx PATH "%PATH%;${dir}"` : `export PATH="${dir}:$PATH" in your shell profile`}), then open a new terminal.`;
  return { path, on_path: onPath && existsSync(path), message };
}
