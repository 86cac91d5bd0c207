// The SDK's variables as text: quoted for a shell (`export` lines) or for a .env file, and merged
// into an existing .env without touching anything else in it. The one place these rules live, for
// the desktop, its renderer and `craft`; the file itself is read and written by the desktop services.
import { z } from 'zod';

/** Values made only of these characters need no quotes, in a shell or in a .env file. */
const PLAIN = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * A value as one shell word: bare when plain, else single-quoted (nothing is expanded inside).
 * `always` quotes plain values too (git sends a repository path to its server in that form).
 */
export function shellQuote(value: string, options: { always?: boolean } = {}): string {
  return !options.always && PLAIN.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A value as a .env file holds it: bare when plain, else double-quoted with `"`, `\`, `$` and `` ` `` escaped. */
export function dotEnvQuote(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('A .env value cannot contain a line break');
  return value === '' || PLAIN.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The variables the SDK reads; a .env merge sets these and nothing else. */
export const SDK_VARIABLE_NAMES = ['CRAFT_AI_ENVIRONMENT_URL', 'CRAFT_AI_SDK_TOKEN', 'CRAFT_AI_CONTROL_URL'] as const;

export const DOTENV_HEADER = '# Craft MLOps SDK connection — keep this file private (it holds your SDK token)';

export const dotEnvChangeSchema = z.object({
  name: z.string(),
  change: z.enum(['added', 'updated', 'unchanged', 'removed']),
});
export type DotEnvChange = z.infer<typeof dotEnvChangeSchema>;

/** One line, or a quoted value's several lines, of a .env file. */
interface Entry {
  lines: string[];
  /** Set when the entry assigns a variable. */
  name?: string;
  value?: string;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/s;

/** Where the quote opened at `text[0]` closes, or -1 (a backslash escapes inside double quotes and backticks). */
function closingQuote(text: string, from = 1): number {
  const quote = text[0]!;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\' && quote !== "'") i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function unquote(raw: string): string {
  const quote = raw[0];
  if (quote === '"' || quote === "'" || quote === '`') {
    const end = closingQuote(raw);
    const inner = raw.slice(1, end === -1 ? undefined : end);
    return quote === "'" ? inner : inner.replace(/\\(.)/gs, '$1');
  }
  return raw.replace(/\s+#.*$/, '').trim();
}

/** Splits a .env text into entries; a quoted value that spans lines is one entry, as dotenv readers take it. */
function entriesOf(text: string): Entry[] {
  const lines = text.split(/\r?\n/);
  const entries: Entry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const match = ASSIGNMENT.exec(lines[i]!);
    if (!match || lines[i]!.trimStart().startsWith('#')) {
      entries.push({ lines: [lines[i]!] });
      continue;
    }
    const entry: Entry = { lines: [lines[i]!], name: match[1]! };
    let raw = match[2]!;
    if (/^["'`]/.test(raw) && closingQuote(raw) === -1) {
      // The value goes on until a line closes its quote (or the file ends).
      while (i + 1 < lines.length) {
        i++;
        entry.lines.push(lines[i]!);
        raw += `\n${lines[i]}`;
        if (closingQuote(raw) !== -1) break;
      }
    }
    entry.value = unquote(raw);
    entries.push(entry);
  }
  return entries;
}

export interface DotEnvMerge {
  content: string;
  /** One per SDK variable, in SDK_VARIABLE_NAMES order. */
  changes: DotEnvChange[];
  /** The file's other non-blank lines, kept as they were. */
  kept_lines: number;
}

/**
 * Sets the SDK's variables in a .env text (null: no file yet) and keeps every other line, comment and
 * line ending as it was. A variable already there is changed where it stands (each of its assignments,
 * so no later duplicate wins); a new one goes at the end; an SDK variable not in `values` (the control
 * URL when the SDK's default is right) is removed, since a stale one would send the SDK elsewhere.
 */
export function mergeDotEnv(existing: string | null, values: Record<string, string>): DotEnvMerge {
  const line = (name: string) => `${name}=${dotEnvQuote(values[name]!)}`;
  if (existing === null) {
    const names = SDK_VARIABLE_NAMES.filter((name) => name in values);
    return {
      content: `${[DOTENV_HEADER, ...names.map(line)].join('\n')}\n`,
      changes: SDK_VARIABLE_NAMES.filter((name) => name in values).map((name) => ({ name, change: 'added' as const })),
      kept_lines: 0,
    };
  }
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const entries = entriesOf(existing);
  const sdk = new Set<string>(SDK_VARIABLE_NAMES);
  const seen = new Map<string, 'updated' | 'unchanged'>();
  const out: string[] = [];
  let kept = 0;
  for (const entry of entries) {
    const name = entry.name;
    if (name === undefined || !sdk.has(name)) {
      out.push(...entry.lines);
      kept += entry.lines.filter((l) => l.trim() !== '').length;
      continue;
    }
    if (!(name in values)) {
      seen.set(name, 'updated'); // reported as removed below
      continue;
    }
    if (entry.value === values[name]) {
      out.push(...entry.lines);
      if (!seen.has(name)) seen.set(name, 'unchanged');
    } else {
      out.push(line(name));
      seen.set(name, 'updated');
    }
  }
  const added = SDK_VARIABLE_NAMES.filter((name) => name in values && !seen.has(name));
  // The text ended with a line break when its last "line" is empty: new lines go before it.
  const trailing = out.length > 0 && out[out.length - 1] === '' ? out.pop() : undefined;
  if (added.length) out.push(...added.map(line));
  if (trailing !== undefined || added.length) out.push('');
  const changes = SDK_VARIABLE_NAMES.flatMap((name): DotEnvChange[] => {
    if (!(name in values)) return seen.has(name) ? [{ name, change: 'removed' }] : [];
    return [{ name, change: seen.get(name) ?? 'added' }];
  });
  return { content: out.join(eol), changes, kept_lines: kept };
}

/** What writing the SDK's variables to a .env does (or did): no value, so no token, is in it. */
export const dotEnvPlanSchema = z.object({
  /** The file, ~ expanded (the link's target when the path is a symbolic link). */
  path: z.string(),
  exists: z.boolean(),
  changes: z.array(dotEnvChangeSchema),
  kept_lines: z.number(),
  /** The existing file could be read by others: it becomes readable by its owner only (0600). */
  narrows_mode: z.boolean(),
  /** The folder is in a git repository: its .gitignore and whether it already ignores the file. */
  git: z.object({ gitignore: z.string(), ignored: z.boolean() }).nullable(),
});
export type DotEnvPlan = z.infer<typeof dotEnvPlanSchema>;

/** True when writing would change nothing. */
export function dotEnvUpToDate(plan: DotEnvPlan): boolean {
  return plan.exists && !plan.narrows_mode && plan.changes.every((c) => c.change === 'unchanged');
}

/** "2 updated, 1 added; 4 other lines kept" — the plan in one line. */
export function describeDotEnvChanges(plan: DotEnvPlan): string {
  const counts = (['added', 'updated', 'removed', 'unchanged'] as const)
    .map((kind) => [kind, plan.changes.filter((c) => c.change === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  const kept = plan.exists ? `; ${plan.kept_lines} other line${plan.kept_lines === 1 ? '' : 's'} kept as they were` : '';
  return `${counts.join(', ')}${kept}`;
}
