// The embedded platform's port, kept in the data folder (embedded-platform.json, owner-only) so that its
// address stays the same from one launch to the next: environment URLs name it, and a .env written
// yesterday or the variables `craft exec` exported must still reach it today. A new port is chosen, and
// recorded, only when the kept one is taken by another program.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { narrowExisting } from '../../common/private-files.js';
import { writeFileAtomic } from './connections.js';

const FILE = 'embedded-platform.json';

function fileOf(dataDir: string): string {
  return join(dataDir, FILE);
}

/** The port the embedded platform listened on last time; null when none was kept (or the file is unreadable). */
export function keptPort(dataDir: string): number | null {
  const file = fileOf(dataDir);
  narrowExisting([file]);
  try {
    const { port } = JSON.parse(readFileSync(file, 'utf8')) as { port?: unknown };
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

export function keepPort(dataDir: string, port: number): void {
  if (keptPort(dataDir) === port) return;
  writeFileAtomic(fileOf(dataDir), `${JSON.stringify({ port }, null, 2)}\n`);
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

/**
 * Starts a server on the kept port, or on a free one (port 0) when none is kept or the kept one is
 * taken; records the port it got. `listen(port)` returns the started server and its actual port.
 */
export async function listenOnKeptPort<T>(
  dataDir: string,
  listen: (port: number) => Promise<{ server: T; port: number }>,
  log: (message: string) => void = () => {},
): Promise<T> {
  const kept = keptPort(dataDir);
  let started: { server: T; port: number };
  try {
    started = await listen(kept ?? 0);
  } catch (error) {
    if (kept === null || !isAddressInUse(error)) throw error;
    started = await listen(0);
    log(`Embedded platform: port ${kept} is taken by another program, so it listens on ${started.port} from now on (environment URLs name the new port).`);
  }
  keepPort(dataDir, started.port);
  return started.server;
}
