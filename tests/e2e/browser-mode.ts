// Starts the real app in browser mode (web host + embedded platform + keychain) as a
// child process, the way a user's `npm run web` does, and reads the two lines it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BrowserMode {
  appUrl: string;
  platformUrl: string;
  dataDir: string;
  /** Everything the process printed so far: its log. */
  output(): string;
  stop(): Promise<void>;
}

export async function startBrowserMode(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BrowserMode> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'craft-e2e-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'electron/web-host/cli.ts', '--no-open', '--port', '0', '--data-dir', dataDir], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));

  const lines = await new Promise<{ app: string; platform: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`browser mode did not start in time:\n${log}`)), 60_000);
    const check = () => {
      const app = /^App: (\S+)$/m.exec(log)?.[1];
      const platform = /^Platform: (\S+)$/m.exec(log)?.[1];
      if (app && platform) {
        clearTimeout(timer);
        resolve({ app, platform });
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code}:\n${log}`));
    });
  });

  return {
    appUrl: lines.app,
    platformUrl: lines.platform,
    dataDir,
    output: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        // A clean shutdown first; a process that hangs on it fails loudly rather than the test run.
        const killer = setTimeout(() => {
          log += '\n[browser mode did not stop within 15 s of SIGTERM: killed]\n';
          child.kill('SIGKILL');
        }, 15_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Every file under a folder whose bytes contain the needle. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path).includes(needle)) hits.push(path);
    }
  };
  walk(dir);
  return hits;
}
