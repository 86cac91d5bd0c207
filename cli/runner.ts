// Child processes: `craft exec` (the SDK variables in the child's environment, nothing
// else) and `craft run` (the same, plus a real execution recorded on the platform with
// every output line appended to its logs).
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { Execution } from '../domain/execution.js';
import { redactSdkTokens } from '../domain/sdk-token.js';
import type { EndpointInput } from '../domain/platform-contract.js';
import type { PlatformClient } from '../electron/services/platform-client.js';
import { err } from './io.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

export interface ChildEnd {
  code: number;
  /** The signal that ended the child, if any. */
  signal: NodeJS.Signals | null;
  /** The signal we received and passed on, if any (Ctrl-C…). */
  interrupted: NodeJS.Signals | null;
  /** The command could not be started at all. */
  startError: string | null;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * Runs a command, passing on the signals this process receives; resolves with the exit code
 * the shell would report (128+N for a signal). A command that cannot start gives 127
 * (not found) or 126 (not executable), as a shell does.
 */
export function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { pipe?: boolean; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<ChildEnd> {
  return new Promise<ChildEnd>((resolve) => {
    let interrupted: NodeJS.Signals | null = null;
    const child = spawn(command, args, { stdio: options.pipe ? ['inherit', 'pipe', 'pipe'] : 'inherit', env });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const signal of FORWARDED) {
      const handler = () => {
        interrupted ??= signal;
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    const cleanup = () => {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    };
    let settled = false;
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      cleanup();
      const notFound = error.code === 'ENOENT';
      const why = notFound ? 'command not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      resolve({ code: notFound ? 127 : 126, signal: null, interrupted, startError: `cannot run ${command}: ${why}` });
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve({ code: exitCodeOf(code, signal), signal, interrupted, startError: null });
    });
    options.onSpawn?.(child);
  });
}

/** What a terminal would show of a line: progress bars redraw it after \r, so the last part stays. */
function shownLine(line: string): string {
  const trimmed = line.replace(/\r+$/, '');
  if (!trimmed.includes('\r')) return trimmed;
  return trimmed.split('\r').filter((part) => part.length > 0).pop() ?? '';
}

/** Splits a byte stream into lines (the last one flushed at the end). */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    for (const part of parts) this.onLine(shownLine(part));
  }
  end(): void {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text) this.onLine(shownLine(text));
  }
}

const MAX_MESSAGE = 64 * 1024 - 16;
const MAX_BATCH = 1000;
const MAX_PENDING = 200_000;

/**
 * Sends timestamped log lines to an execution, in order, in batches, without blocking the output.
 * The SDK token the command was given (`secrets`), and anything shaped like an SDK token, never
 * leaves: `craft run -- env` would otherwise put it in logs every project member reads.
 */
export class LogShipper {
  private pending: { timestamp: string; message: string }[] = [];
  private sending: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private warned = false;
  private dropped = 0;
  sent = 0;

  constructor(
    private readonly client: PlatformClient,
    private readonly execution: { slug: string; id: string },
    private readonly intervalMs = 300,
    private readonly secrets: readonly string[] = [],
  ) {}

  add(text: string, at = new Date()): void {
    const timestamp = at.toISOString();
    // Redacted before long lines are cut, so no piece of a token slips through a cut.
    const redacted = redactSdkTokens(text, this.secrets);
    // PostgreSQL text cannot hold NUL characters.
    const message = redacted.includes('\u0000') ? redacted.replace(/\u0000/g, '\ufffd') : redacted;
    for (let i = 0; i < message.length || i === 0; i += MAX_MESSAGE) {
      if (this.pending.length >= MAX_PENDING) {
        this.dropped++;
        continue;
      }
      this.pending.push({ timestamp, message: message.slice(i, i + MAX_MESSAGE) });
    }
    if (this.pending.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what is pending (chained after the previous send). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.sending = this.sending.then(async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.slice(0, MAX_BATCH);
        try {
          await this.client.call('appendExecutionLogs', { params: this.execution, body: { lines: batch } });
          this.pending.splice(0, batch.length);
          this.sent += batch.length;
        } catch (error) {
          if (!this.warned) {
            this.warned = true;
            err(`craft: could not record log lines (${(error as Error).message}); retrying`);
          }
          this.timer ??= setTimeout(() => this.flush(), 2_000);
          return;
        }
      }
    });
    return this.sending;
  }

  /** Sends everything; a few retries at the end, then says how many lines were lost. */
  async close(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.flush();
      if (this.pending.length === 0) break;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
    if (this.timer) clearTimeout(this.timer);
    const lost = this.pending.length + this.dropped;
    if (lost > 0) err(`craft: ${lost} log line(s) could not be recorded`);
  }
}

export interface RecordedRun {
  execution: Execution;
  end: ChildEnd;
  /** Set when the final status could not be recorded (the command's exit code still stands). */
  error: string | null;
}

/**
 * `craft run`: records an execution (created, then running), runs the command with its
 * output passed through and appended to the execution's logs, then sets the final status:
 * succeeded (exit 0), failed (anything else), cancelled (interrupted by a signal we passed on).
 */
export async function recordedRun(options: {
  client: PlatformClient;
  /** The environment's slug: its own API records the run. */
  slug: string;
  pipeline: string;
  /** The run's inputs, recorded with the execution in the SDK's shape (mapping type run: given to the run). */
  inputs?: EndpointInput<'createExecution'>['body']['inputs'];
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  onCreated?: (execution: Execution) => void;
}): Promise<RecordedRun> {
  const { client, slug } = options;
  // Ctrl-C before the command starts: the execution is cancelled, not left pending (a second one quits at once).
  let early: NodeJS.Signals | null = null;
  const onEarly = (signal: NodeJS.Signals) => {
    if (early) process.exit(128 + (constants.signals[signal] ?? 0));
    early = signal;
  };
  for (const s of FORWARDED) process.on(s, onEarly);
  let created: Execution;
  let execution: { slug: string; id: string };
  try {
    created = await client.call('createExecution', { params: { slug }, body: { pipeline_name: options.pipeline, inputs: options.inputs ?? [] } });
    execution = { slug, id: created.execution_id };
    options.onCreated?.(created);
    if (!early) await client.call('updateExecution', { params: execution, body: { status: 'running' } });
  } finally {
    for (const s of FORWARDED) process.off(s, onEarly);
  }
  const logs = new LogShipper(client, execution, undefined, [options.env.CRAFT_AI_SDK_TOKEN ?? '']);
  let end: ChildEnd;
  if (early) {
    end = { code: 128 + (constants.signals[early as NodeJS.Signals] ?? 0), signal: null, interrupted: early, startError: null };
  } else {
    end = await runChild(options.command, options.args, { ...options.env, CRAFT_AI_EXECUTION_ID: created.execution_id }, {
      pipe: true,
      onSpawn: (child) => {
        const wire = (stream: import('node:stream').Readable | null, sink: NodeJS.WriteStream) => {
          if (!stream) return;
          const lines = new LineSplitter((line) => logs.add(line));
          let open = true;
          // Our output closed (craft run … | head): close the command's, as a shell pipe would (SIGPIPE).
          sink.on('error', (error: NodeJS.ErrnoException) => {
            if (error.code !== 'EPIPE' || !open) return;
            open = false;
            stream.destroy();
          });
          stream.on('data', (chunk: Buffer) => {
            if (open) sink.write(chunk);
            lines.push(chunk);
          });
          stream.on('end', () => lines.end());
          stream.on('close', () => lines.end());
        };
        wire(child.stdout, process.stdout);
        wire(child.stderr, process.stderr);
      },
    });
  }
  // Until the end is recorded, a signal does not kill us: the execution would stay "running".
  let pressed = 0;
  const onLate = () => {
    pressed++;
    if (pressed === 1) err('craft: recording the end of the execution; press Ctrl-C again to quit without it');
    else process.exit(end.code);
  };
  for (const s of FORWARDED) process.on(s, onLate);
  try {
    if (end.startError) logs.add(`craft: ${end.startError}`);
    const status = end.interrupted ? 'cancelled' : end.code === 0 ? 'succeeded' : 'failed';
    logs.add(
      early
        ? `craft: cancelled (${early}) before the command started`
        : status === 'cancelled'
          ? `craft: cancelled (${end.interrupted})${end.startError ? '' : `, the command ended with exit code ${end.code}`}`
          : `craft: the command ended with exit code ${end.code}`,
    );
    await logs.close();
    try {
      const ended = await client.call('updateExecution', { params: execution, body: { status } });
      return { execution: ended, end, error: null };
    } catch (error) {
      return { execution: { ...created, status: 'running' }, end, error: `the execution could not be marked ${status}: ${(error as Error).message}` };
    }
  } finally {
    for (const s of FORWARDED) process.off(s, onLate);
  }
}
