// Tests only: `npm run platform` (platform/cli.ts) as a child process, the way a team runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface PlatformProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  /** SIGTERM (a clean stop) unless told otherwise; resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

const CLI = join(import.meta.dirname, '..', 'cli.ts');

/** Starts the platform and resolves once it serves (it printed its "Mail:" line, the last one of its start). */
export async function startPlatformProcess(options: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<PlatformProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...(options.args ?? [])], {
    env: { ...process.env, CRAFT_ADMIN_EMAIL: '', CRAFT_ADMIN_PASSWORD: '', DATABASE_URL: '', CRAFT_LOG: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform did not start in time:\n${out}`)), options.timeoutMs ?? 60_000);
    const check = () => {
      const found = /^Platform: (\S+)$/m.exec(out)?.[1];
      if (found && /^Mail: /m.test(out)) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited (${code}) before it served:\n${out}`));
    });
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    output: () => out,
    exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
