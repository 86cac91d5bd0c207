// Terminal input and output: prompts (to stderr, so stdout stays clean for pipes), the
// password prompt without echo, standard input, tables and JSON.
import { AppError } from '../domain/errors.js';
import { UsageError } from './errors.js';

export function interactive(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY;
}

/**
 * Reads one line from the terminal in raw mode, echoing what is typed (or nothing, for a
 * secret). Raw mode all along, so no other reader can turn echo back on between prompts.
 */
function readTerminalLine(question: string, option: string, echo: boolean): Promise<string> {
  const input = process.stdin;
  if (!interactive() || typeof input.setRawMode !== 'function') throw new UsageError(`${option} is required (there is no terminal to ask)`);
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  let value = '';
  return new Promise<string>((resolve, reject) => {
    const done = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      if (chunk.length > 1 && chunk.startsWith('\u001b')) return; // arrow and function keys
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003' || (ch === '\u0004' && !value)) {
          done();
          reject(new AppError('cancelled', 'Cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') {
          if (value && echo) process.stderr.write('\b \b');
          value = [...value].slice(0, -1).join('');
        } else if (ch === '\u0015') {
          if (echo) process.stderr.write('\b \b'.repeat([...value].length));
          value = '';
        } else if (ch >= ' ' && ch !== '\u001b') {
          value += ch;
          if (echo) process.stderr.write(ch);
        }
      }
    };
    input.on('data', onData);
  });
}

/** Asks a question on the terminal; `option` names what to pass instead when there is none. */
export async function prompt(question: string, option: string, fallback?: string): Promise<string> {
  const answer = await readTerminalLine(fallback ? `${question} [${fallback}]: ` : `${question}: `, option, true);
  return answer.trim() || fallback || '';
}

/** Reads a secret from the terminal without echoing it. */
export function promptHidden(question: string, option: string): Promise<string> {
  return readTerminalLine(`${question}: `, option, false);
}

/** Asks a yes/no question; false unless the answer starts with y. */
export async function confirm(question: string, option: string): Promise<boolean> {
  const answer = await prompt(`${question} [y/N]`, option);
  return /^y(es)?$/i.test(answer.trim());
}

/** All of standard input (for --password-stdin), without its final line break. */
export async function readStdin(limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) throw new UsageError('--password-stdin: standard input is too long to be a password');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2));
}

/** A plain-text table: a header row, columns padded, no trailing spaces. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
