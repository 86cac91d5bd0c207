// Kysely builds and compiles every query anew, which costs far more than running a simple indexed
// query. For hot paths, a query is built once per shape with placeholder arguments; later calls only
// substitute the arguments into the compiled parameters. The SQL stays Kysely's, for both dialects.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { HotRead } from './database.js';

const MARK = '\u0000craft-arg:';

/** A placeholder for argument i, to put where a value goes in the query built for `run`. */
export function arg<T>(i: number): T {
  return `${MARK}${i}` as unknown as T;
}

type Slot = { arg: number } | { value: unknown };

export class PreparedQueries {
  private readonly cache = new Map<string, { sql: string; slots: Slot[] }>();
  /** `read`: where the compiled reads run (database.ts hotRead); else through Kysely. */
  constructor(
    private readonly db: Kysely<any>,
    private readonly read?: HotRead,
  ) {}

  /**
   * Runs the read `build` makes (with arg(i) placeholders) for these arguments; `shape` names the query's form.
   * Reads only, outside any transaction: on SQLite on a read-only connection (a write there fails), on
   * PostgreSQL as prepared statements on the pool.
   */
  async run<R>(shape: string, build: () => Compilable<R>, args: readonly unknown[]): Promise<R[]> {
    let entry = this.cache.get(shape);
    if (!entry) {
      const compiled = build().compile();
      entry = {
        sql: compiled.sql,
        slots: compiled.parameters.map((p): Slot => (typeof p === 'string' && p.startsWith(MARK) ? { arg: Number(p.slice(MARK.length)) } : { value: p })),
      };
      this.cache.set(shape, entry);
    }
    const parameters = entry.slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    if (this.read) return (await this.read(entry.sql, parameters)) as R[];
    const result = await this.db.executeQuery<R>(CompiledQuery.raw(entry.sql, parameters) as CompiledQuery<R>);
    return result.rows;
  }
}
