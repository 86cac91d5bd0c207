// What the log viewer reads in a line: whether it reports an error, where a search matches it,
// and the text a downloaded log holds. Plain functions, so they are tested apart from the view.
import type { LogLine } from '../../../domain/execution.js';

/**
 * A line that reports an error: Python's tracebacks and exceptions, logging's ERROR/CRITICAL/FATAL
 * levels, "failed"/"panic". Words, not substrings, so "0 errors" or "error_rate=0.1" stay plain.
 */
const ERROR_WORD = /\b(error|exception|traceback|critical|fatal|panic|failed)\b/i;
/** An exception's class name (ValueError, RuntimeException): case-sensitive, so "terror" is not one. */
const ERROR_CLASS = /\b[A-Z]\w*(Error|Exception)\b/;
const NOT_AN_ERROR = /\b(no|0|zero) (errors?|exceptions?)\b/i;

export function isErrorLine(message: string): boolean {
  return (ERROR_WORD.test(message) || ERROR_CLASS.test(message)) && !NOT_AN_ERROR.test(message);
}

/** A message cut where the search matches (case-insensitive): the matched parts marked. */
export function matchParts(message: string, query: string): { text: string; match: boolean }[] {
  if (!query) return [{ text: message, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  const haystack = message.toLowerCase();
  const needle = query.toLowerCase();
  let at = 0;
  for (let found = haystack.indexOf(needle); found !== -1; found = haystack.indexOf(needle, at)) {
    if (found > at) parts.push({ text: message.slice(at, found), match: false });
    parts.push({ text: message.slice(found, found + needle.length), match: true });
    at = found + needle.length;
  }
  if (at < message.length) parts.push({ text: message.slice(at), match: false });
  return parts;
}

export function matches(line: LogLine, query: string): boolean {
  return !query || line.message.toLowerCase().includes(query.toLowerCase());
}

/** A log as a text file: one line each, its UTC timestamp first (as the platform keeps it). */
export function logsText(lines: LogLine[]): string {
  return lines.map((line) => `${line.timestamp} ${line.message}`).join('\n') + (lines.length ? '\n' : '');
}

/** Lines at the boundary timestamp come back again (the log query's `from` is inclusive): drop the ones already there. */
export function appendedLines(lines: LogLine[], page: LogLine[]): LogLine[] {
  const last = lines[lines.length - 1];
  let start = 0;
  if (last) {
    const seen = new Set(lines.filter((l) => l.timestamp === last.timestamp).map((l) => l.message));
    while (start < page.length && page[start]!.timestamp === last.timestamp && seen.has(page[start]!.message)) start++;
  }
  return start < page.length ? lines.concat(page.slice(start)) : lines;
}

/**
 * Every line of a log, page after page (for a download): stops at a short page, or at a page that
 * adds nothing (a full page of lines sharing one timestamp cannot be paged past).
 */
export async function allLines(fetchLogs: (query: { from?: string; limit: number }) => Promise<LogLine[]>, pageSize: number): Promise<LogLine[]> {
  let lines: LogLine[] = [];
  for (;;) {
    const from = lines[lines.length - 1]?.timestamp;
    const page = await fetchLogs(from ? { from, limit: pageSize } : { limit: pageSize });
    const next = appendedLines(lines, page);
    if (next === lines || page.length < pageSize) return next;
    lines = next;
  }
}
