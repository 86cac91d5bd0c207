// Writes the pages of an execution feed on a second connection to the cache file, in a worker
// thread: while page N is written there, the sync receives and decodes page N+1 (HTTP, JSON, the
// contract's schema) on its own thread, instead of one after the other. Each page is still ONE
// transaction with its feed's cursor (a crash leaves the page and its cursor, or neither). The
// rows are built on the sync's thread (cache.ts executionRow), so the worker only runs SQL.
// A cache that lives in memory has no second connection, and a writer thread that cannot start or
// stops (a native module it cannot load): there, pages are written in place, none lost.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Execution } from '../../domain/execution.js';
import { connectionPragmas, EXECUTION_DATA_COLUMN, EXECUTION_PAGE_COLUMNS, executionRow, scopeOf, SET_CURSOR, UPSERT_EXECUTION, type Cache } from './cache.js';

/** Kept as a string (run with `eval: true`) so it works the same under tsx, Vitest and a bundled Electron main. */
const WRITER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, { timeout: 5000 });
for (const pragma of workerData.pragmas) db.pragma(pragma);
const upsert = db.prepare(workerData.upsert);
const setCursor = db.prepare(workerData.setCursor);
const apply = db.transaction((page) => {
  // A page's rows: what they share once (page.first, row 0), what varies by row (page.varying's
  // columns, flat in page.values), each execution's text cut here from the answer as sent: from its
  // bytes (no string built: the statement stores them as text), else from its text.
  const row = page.first.slice();
  const varying = page.varying;
  const width = varying.length;
  for (let i = 0; i < page.count; i++) {
    for (let k = 0; k < width; k++) row[varying[k]] = page.values[i * width + k];
    if (page.bytes !== null) row[workerData.dataColumn] = Buffer.from(page.bytes.buffer, page.bytes.byteOffset + page.ranges[2 * i], page.ranges[2 * i + 1] - page.ranges[2 * i]);
    else if (page.text !== null) row[workerData.dataColumn] = page.text.slice(page.ranges[2 * i], page.ranges[2 * i + 1]);
    upsert.run(row);
  }
  setCursor.run(page.connectionId, page.scope, page.cursor, page.syncedAt);
});
/** This thread's CPU time in ms (Linux: /proc/thread-self; elsewhere null), for the benchmark. */
function threadCpuMs() {
  try {
    const fields = require('node:fs').readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}
parentPort.on('message', (page) => {
  if (page === 'close') {
    db.close();
    parentPort.postMessage({ closed: true, cpuMs: threadCpuMs() });
    parentPort.close();
    return;
  }
  const started = performance.now();
  try {
    apply(page);
    parentPort.postMessage({ id: page.id, ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ id: page.id, error: String((error && error.message) || error) });
  }
});
`;


export interface ExecutionPage {
  connectionId: string;
  project: string;
  environment: string;
  items: Execution[];
  /** The items' JSON as the platform sent it, stored as it is; else each is encoded again. */
  sent?: SentTexts | undefined;
  cursor: string | null;
  syncedAt: string;
}

/** An answer as it came, and where each of its items lies in it: [start, end) of item i at 2i, 2i + 1. */
export interface SentTexts {
  text: string;
  ranges: readonly number[];
  /** The answer's UTF-8 bytes when they are all ASCII (the ranges are theirs too): what crosses to the writer's thread, moved, not copied. */
  bytes?: Uint8Array | undefined;
}

/** Each item's text, cut from the answer. */
export function sentSlices(sent: SentTexts): string[] {
  return Array.from({ length: sent.ranges.length / 2 }, (_, i) => sent.text.slice(sent.ranges[2 * i], sent.ranges[2 * i + 1]));
}

/**
 * A page as rows of the executions table (cache.ts executionRow) and the feed's cursor, in few values
 * (what crosses to the writer's thread is copied: a value per column and row cost twice these): the first
 * row whole, then only the columns that vary by row, flat; with `text`, the rows' data is cut from it.
 */
interface RowsPage {
  connectionId: string;
  scope: string;
  count: number;
  first: unknown[];
  varying: readonly number[];
  values: unknown[];
  text: string | null;
  ranges: readonly number[];
  cursor: string | null;
  syncedAt: string;
}

/** The page's rows whole. */
function pageRows(page: RowsPage): unknown[][] {
  const width = page.varying.length;
  const texts = page.text === null ? null : sentSlices({ text: page.text, ranges: page.ranges });
  return Array.from({ length: page.count }, (_, i) => {
    const row = page.first.slice();
    page.varying.forEach((column, k) => (row[column] = page.values[i * width + k]));
    if (texts) row[EXECUTION_DATA_COLUMN] = texts[i];
    return row;
  });
}

export class ExecutionPageWriter {
  /** Time spent writing (inside the transactions, wall clock: on a busy machine, also the time the thread waited for a core), for the benchmark. */
  writeMs = 0;
  /** CPU time of the writer's thread from its start to its end (startup and messages included; Linux only, else null), known once closed: for the benchmark. */
  threadCpuMs: number | null = null;
  private worker: Worker | null = null;
  private inPlace: boolean;
  private nextId = 0;
  /** What the thread has not confirmed yet: rows only, so that the page's parsed objects die young. */
  private readonly waiting = new Map<number, { page: RowsPage; resolve: () => void; reject: (error: Error) => void }>();

  constructor(private readonly cache: Cache) {
    this.inPlace = cache.file === ':memory:';
  }

  /** Whether a worker runs (a feed of one page is written in place: starting a thread would cost more). */
  get started(): boolean {
    return this.worker !== null;
  }

  /** Resolves once the page and its cursor are committed. */
  write(page: ExecutionPage): Promise<void> {
    // With the answer as sent, data is cut from it where the rows are written (placeholder meanwhile).
    const rows = page.items.map((execution) => executionRow(page.connectionId, page.project, page.environment, execution, page.syncedAt, page.sent ? '' : undefined));
    const width = rows[0]?.length ?? 0;
    const varying = Array.from({ length: width }, (_, column) => column).filter((column) => !EXECUTION_PAGE_COLUMNS.includes(column) && !(page.sent && column === EXECUTION_DATA_COLUMN));
    const values: unknown[] = [];
    for (const row of rows) for (const column of varying) values.push(row[column]);
    const rowsPage: RowsPage = {
      connectionId: page.connectionId,
      scope: scopeOf('executions', page.project, page.environment),
      count: rows.length,
      first: rows[0] ?? [],
      varying,
      values,
      text: page.sent?.text ?? null,
      ranges: page.sent?.ranges ?? [],
      cursor: page.cursor,
      syncedAt: page.syncedAt,
    };
    if (this.inPlace) {
      try {
        this.writeInPlace(rowsPage);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const worker = this.start();
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { page: rowsPage, resolve, reject }));
    // The answer's bytes cross moved (their buffer is the answer's own); the text stays here, for a
    // page written in place should the thread fail.
    const bytes = page.sent?.bytes;
    if (bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
      worker.postMessage({ id, ...rowsPage, text: null, bytes }, [bytes.buffer]);
    } else worker.postMessage({ id, ...rowsPage, bytes: null });
    return done;
  }

  /** Ends the worker once the pages sent are written. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    });
  }

  private writeInPlace(page: RowsPage): void {
    const started = performance.now();
    this.cache.applyExecutionRows(page.connectionId, page.scope, pageRows(page), page.cursor, page.syncedAt);
    this.writeMs += performance.now() - started;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file: this.cache.file, pragmas: connectionPragmas(this.cache.database.pragma('page_size', { simple: true }) as number), upsert: UPSERT_EXECUTION, setCursor: SET_CURSOR, dataColumn: EXECUTION_DATA_COLUMN },
    });
    worker.on('message', (answer: { id: number; ms?: number; error?: string } | { closed: true; cpuMs: number | null }) => {
      if ('closed' in answer) {
        this.threadCpuMs = answer.cpuMs;
        return;
      }
      const waiting = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (answer.error !== undefined) waiting?.reject(new Error(`the cache could not write a page of executions: ${answer.error}`));
      else {
        this.writeMs += answer.ms ?? 0;
        waiting?.resolve();
      }
    });
    // The thread failed: what it had not confirmed is written here, in order (a page written twice
    // is the same upserts and cursor), and so is every page after.
    const takeOver = () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.inPlace = true;
      const pages = [...this.waiting.values()];
      this.waiting.clear();
      for (const { page, resolve, reject } of pages) {
        try {
          this.writeInPlace(page);
          resolve();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    };
    worker.on('error', takeOver);
    worker.on('exit', takeOver);
    this.worker = worker;
    return worker;
  }
}
