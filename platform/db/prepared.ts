// Kysely builds and compiles every query anew, which costs far more than running a simple indexed
// query. For hot paths, a query is built once per shape with placeholder arguments; later calls only
// substitute the arguments into the compiled parameters. The SQL stays Kysely's, for both dialects.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { HotRead, SyncWrite } from './database.js';

const MARK = '\u0000craft-arg:';

/** A placeholder for argument i, to put where a value goes in the query built for `run`. */
export function arg<T>(i: number): T {
  return `${MARK}${i}` as unknown as T;
}

type Slot = { arg: number } | { value: unknown };

/** The statements of one synchronous write transaction (PreparedQueries.transaction), each compiled once per shape. */
export interface WriteTransaction {
  /** Runs the statement and gives its first row (a RETURNING, a SELECT). */
  get<R>(shape: string, build: () => Compilable<R>, args: readonly unknown[]): R | undefined;
  /** Runs the statement and gives how many rows it changed. */
  run(shape: string, build: () => Compilable<unknown>, args: readonly unknown[]): number;
}

export class PreparedQueries {
  private readonly cache = new Map<string, { sql: string; slots: Slot[] }>();
  /** `read`: where the compiled reads run (database.ts hotRead); else through Kysely. */
  constructor(
    private readonly db: Kysely<any>,
    private readonly read?: HotRead,
    private readonly write?: SyncWrite,
  ) {}

  /**
   * SQLite: `work` as one transaction on the writer connection, run to its end at once (database.ts
   * syncWrite), its statements compiled once per shape. A write through Kysely awaited each of its
   * statements, BEGIN and COMMIT: requests ran in between, so the write lasted as long as they took, and
   * each statement was built and compiled anew. A throw rolls it back.
   */
  transaction<T>(work: (trx: WriteTransaction) => T): Promise<T> {
    if (!this.write) throw new Error('synchronous write transactions are SQLite only');
    return this.write((statement) =>
      work({
        get: (shape, build, args) => {
          const { sql, parameters } = this.compiled(shape, build, args);
          return statement(sql).get(parameters) as never;
        },
        run: (shape, build, args) => {
          const { sql, parameters } = this.compiled(shape, build, args);
          return statement(sql).run(parameters).changes;
        },
      }),
    );
  }

  private compiled(shape: string, build: () => Compilable<unknown>, args: readonly unknown[]): { sql: string; parameters: unknown[] } {
    const entry = this.entry(shape, build);
    return { sql: entry.sql, parameters: entry.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value)) };
  }

  private entry(shape: string, build: () => Compilable<unknown>): { sql: string; slots: Slot[] } {
    let entry = this.cache.get(shape);
    if (!entry) {
      const compiled = build().compile();
      entry = {
        sql: compiled.sql,
        slots: compiled.parameters.map((p): Slot => (typeof p === 'string' && p.startsWith(MARK) ? { arg: Number(p.slice(MARK.length)) } : { value: p })),
      };
      this.cache.set(shape, entry);
    }
    return entry;
  }

  /**
   * Runs the read `build` makes (with arg(i) placeholders) for these arguments; `shape` names the query's form.
   * Reads only, outside any transaction: on SQLite on a read-only connection (a write there fails), on
   * PostgreSQL as prepared statements on the pool.
   */
  async run<R>(shape: string, build: () => Compilable<R>, args: readonly unknown[]): Promise<R[]> {
    const entry = this.entry(shape, build);
    const parameters = entry.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    if (this.read) return (await this.read(entry.sql, parameters)) as R[];
    const result = await this.db.executeQuery<R>(CompiledQuery.raw(entry.sql, parameters) as CompiledQuery<R>);
    return result.rows;
  }
}
