// SQLite's WAL checkpoints off the event loop. By default the commit that takes the WAL past 1000 pages
// runs the checkpoint itself (the pages copied into the database file, two fsyncs), on the one thread
// that also answers every request: that write, and every read queued behind it, waited for the disk.
// Here a worker thread with a connection of its own runs PASSIVE checkpoints (they never block a writer
// or a reader, and skip what a reader still needs), so a commit only appends to the WAL. The writer's
// own automatic checkpoint stays as a bound far above (WAL_BOUND_PAGES): the WAL stays bounded if the
// thread ever falls behind or stops, and when it cannot start, the default comes back.
// Durability is SQLite's WAL with synchronous=NORMAL either way: a committed transaction is in the WAL
// file, which a kill -9 does not undo; the checkpoint only moves pages into the database file.
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The writer's automatic checkpoint while the thread runs: a bound, about 40 MB of WAL. */
export const WAL_BOUND_PAGES = 10_000;
/** SQLite's default, given back when the thread cannot run. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;
/** The thread starts once the WAL holds this much (a small database never pays for a thread). */
const START_BYTES = 1024 * 1024;
/** How often the thread checkpoints (PASSIVE: cheap when there is nothing to copy). */
const EVERY_MS = 250;

/** Kept as a string (run with `eval: true`) so it works the same under tsx, Vitest and a bundled Electron main. */
const CHECKPOINTER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 0');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // SQLITE_BUSY (another checkpoint running): the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    checkpoint();
    parentPort.postMessage('checkpointed');
  } else if (message === 'close') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export interface Checkpointer {
  /** Runs one checkpoint in the thread now (tests); resolves when done, or at once without a thread. */
  checkpointNow(): Promise<void>;
  /** Whether the thread runs. */
  running(): boolean;
  /** Stops the thread (its connection closed) and the WAL watch. */
  stop(): Promise<void>;
}

/**
 * Watches the WAL of `file` and, once it holds START_BYTES, runs the checkpoints in a worker thread;
 * `setAutocheckpoint` sets the writer connection's own bound (WAL_BOUND_PAGES while the thread runs,
 * the default if it fails or stops).
 */
export function startCheckpointer(options: { file: string; nativeBinding?: string | undefined; setAutocheckpoint: (pages: number) => void }): Checkpointer {
  let worker: Worker | null = null;
  let stopped = false;
  let watching: NodeJS.Timeout | null = null;
  const waiting: (() => void)[] = [];
  const fallBack = () => {
    if (worker === null) return;
    worker = null;
    for (const resolve of waiting.splice(0)) resolve();
    // The thread is gone: the commits checkpoint again, as by default (the WAL stays bounded).
    if (!stopped) options.setAutocheckpoint(DEFAULT_AUTOCHECKPOINT_PAGES);
  };
  const start = () => {
    if (worker || stopped) return;
    try {
      worker = new Worker(CHECKPOINTER_SOURCE, {
        eval: true,
        workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file: options.file, nativeBinding: options.nativeBinding, everyMs: EVERY_MS },
      });
    } catch {
      return;
    }
    // The process may end with the thread running (a clean close stops it first).
    worker.unref();
    worker.on('message', (message: string) => {
      if (message === 'checkpointed') waiting.shift()?.();
    });
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
    options.setAutocheckpoint(WAL_BOUND_PAGES);
  };
  watching = setInterval(() => {
    void stat(`${options.file}-wal`).then(
      (s) => {
        if (s.size >= START_BYTES) {
          start();
          if (watching) clearInterval(watching);
          watching = null;
        }
      },
      () => undefined,
    );
  }, EVERY_MS);
  watching.unref();
  return {
    running: () => worker !== null,
    checkpointNow() {
      start();
      const current = worker;
      if (!current) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        current.postMessage('checkpoint');
      });
    },
    async stop() {
      stopped = true;
      if (watching) clearInterval(watching);
      watching = null;
      const current = worker;
      if (!current) return;
      // The thread closes its connection and ends (nothing else keeps it alive). Referenced again while
      // awaited: an unreferenced thread let the process end at this await, the close never finished.
      current.ref();
      await new Promise<void>((resolve) => {
        current.once('exit', () => resolve());
        current.postMessage('close');
      });
      worker = null;
    },
  };
}
