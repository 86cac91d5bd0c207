// The pieces of craft run that need no platform: line splitting as a terminal shows it.
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './runner.js';

function split(chunks: (string | Buffer)[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits on line breaks across chunks, CRLF included, and flushes the last partial line', () => {
    expect(split(['one\ntw', 'o\r\nthr', 'ee'])).toEqual(['one', 'two', 'three']);
    expect(split(['a\n\nb\n'])).toEqual(['a', '', 'b']);
  });

  it('keeps what a terminal shows of a progress bar redrawn with \\r', () => {
    expect(split([' 10%\r 50%\r100%\ndone\n'])).toEqual(['100%', 'done']);
  });

  it('decodes UTF-8 split across chunks', () => {
    const bytes = Buffer.from('héllo wörld\n');
    expect(split([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)])).toEqual(['héllo wörld']);
  });
});

describe('LogShipper', () => {
  type Sent = { endpoint: string; execution: { slug: string; id: string }; lines: { timestamp: string; message: string }[] };
  function fakeClient(failures = 0) {
    const sent: Sent[] = [];
    let fail = failures;
    const client = {
      async call(endpoint: string, input: { params: Sent['execution']; body: { lines: Sent['lines'] } }) {
        if (fail > 0) {
          fail--;
          throw new Error('platform unreachable');
        }
        sent.push({ endpoint, execution: input.params, lines: input.body.lines });
        return { appended: input.body.lines.length };
      },
    };
    return { client: client as unknown as import('../electron/services/platform-client.js').PlatformClient, sent };
  }

  it('sends every line in order, in batches of at most 1000, with ISO timestamps', async () => {
    const { LogShipper } = await import('./runner.js');
    const { client, sent } = fakeClient();
    const shipper = new LogShipper(client, { slug: 's', id: 'x' }, 10);
    for (let i = 0; i < 2500; i++) shipper.add(`line ${i}`);
    await shipper.close();
    expect(sent.every((s) => s.endpoint === 'appendExecutionLogs' && s.execution.id === 'x' && s.lines.length <= 1000)).toBe(true);
    const all = sent.flatMap((s) => s.lines);
    expect(all.map((l) => l.message)).toEqual(Array.from({ length: 2500 }, (_, i) => `line ${i}`));
    expect(all.every((l) => !Number.isNaN(Date.parse(l.timestamp)))).toBe(true);
  });

  it('retries after a failure, splits over-long lines, replaces NUL characters', async () => {
    const { LogShipper } = await import('./runner.js');
    const { client, sent } = fakeClient(1);
    const shipper = new LogShipper(client, { slug: 's', id: 'x' }, 10);
    shipper.add('x'.repeat(100_000));
    shipper.add('a\u0000b');
    await shipper.close();
    const all = sent.flatMap((s) => s.lines.map((l) => l.message));
    expect(all.slice(0, -1).join('')).toBe('x'.repeat(100_000));
    expect(all.every((m) => m.length <= 64 * 1024)).toBe(true);
    expect(all.at(-1)).toBe('a\ufffdb');
  });
});
