// `npm run web`: browser mode. Prints two lines a script can read:
//   App: <URL with its connection token>
//   Platform: <URL of the embedded platform>
// and opens the system browser on an owner-only launcher file, never on the URL itself (see launcher.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAppApi, createHandlers } from '../app-api.js';
import { startDesktop } from '../desktop.js';
import { defaultDataDir } from '../services/connections.js';
import { startWebHost } from './server.js';
import { removeLauncher, writeLauncher } from './launcher.js';

const USAGE = `Usage: npm run web -- [--port N] [--no-open] [--data-dir DIR]

  --port N        port of the app on 127.0.0.1 (default: any free port)
  --no-open       do not open the system browser
  --data-dir DIR  where the app keeps its data (also CRAFT_DATA_DIR; default: ${defaultDataDir()})`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: must be a whole number from 0 to 65535, got "${text}"`);
  return port;
}

/** Opens a file (never a URL with a secret in it: the opener's arguments are readable by every local user). */
function openBrowser(file: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [file], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`Could not open a browser (${command}); open the App URL above yourself.\n`));
  child.unref();
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = parsePort(values.port);
  const dataDir = resolve(values['data-dir'] ?? process.env.CRAFT_DATA_DIR ?? defaultDataDir());
  const log = (message: string) => process.stderr.write(`${message}\n`);

  const desktop = await startDesktop({ dataDir, log });
  const api = createAppApi(createHandlers(desktop), log);
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/renderer');
  const host = await startWebHost({ api, rendererDir, port });

  process.stdout.write(`App: ${host.url}\nPlatform: ${desktop.embeddedPlatform().url}\n`);
  const launcher = values['no-open'] ? null : writeLauncher(dataDir, host.url);
  if (launcher) openBrowser(launcher);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    if (launcher) removeLauncher(launcher);
    await host.close();
    await desktop.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`Browser mode could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
