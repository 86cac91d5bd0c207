import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../domain/execution.js';
import { allLines, isErrorLine, logsText, matchParts } from './logs.js';

describe('isErrorLine', () => {
  it('marks tracebacks, exceptions and error levels', () => {
    for (const message of ['Traceback (most recent call last):', 'ValueError: could not convert string to float', 'ERROR:root:the bucket is gone', '2026-01-01 CRITICAL disk full', 'Step train failed', 'RuntimeException in worker'])
      expect(isErrorLine(message), message).toBe(true);
  });
  it('leaves ordinary lines, and lines that say there was no error, plain', () => {
    for (const message of ['Epoch 3/3 loss=0.29', 'error_rate=0.1', 'Validation: 0 errors', 'No errors found', 'terror movies dataset loaded'])
      expect(isErrorLine(message), message).toBe(false);
  });
});

describe('matchParts', () => {
  it('marks every match, case-insensitive, keeping the original case', () => {
    expect(matchParts('Epoch 1 epoch', 'EPOCH')).toEqual([
      { text: 'Epoch', match: true },
      { text: ' 1 ', match: false },
      { text: 'epoch', match: true },
    ]);
    expect(matchParts('loss', '')).toEqual([{ text: 'loss', match: false }]);
  });
});

describe('logs as a file', () => {
  const line = (i: number, timestamp = `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`): LogLine => ({ timestamp, message: `line ${i}` });

  it('writes one line each with its timestamp', () => {
    expect(logsText([line(1), line(2)])).toBe('2026-01-01T00:00:01.000Z line 1\n2026-01-01T00:00:02.000Z line 2\n');
    expect(logsText([])).toBe('');
  });

  it('reads every page, without repeating the line at each page boundary', async () => {
    const log = Array.from({ length: 25 }, (_, i) => line(i));
    const asked: (string | undefined)[] = [];
    const fetchLogs = async ({ from, limit }: { from?: string; limit: number }) => {
      asked.push(from);
      return log.filter((l) => !from || l.timestamp >= from).slice(0, limit);
    };
    expect(await allLines(fetchLogs, 10)).toEqual(log);
    expect(asked).toHaveLength(3);
  });

  it('stops on a full page that adds nothing (lines sharing one timestamp)', async () => {
    const same = Array.from({ length: 10 }, (_, i) => line(i, '2026-01-01T00:00:00.000Z'));
    expect(await allLines(async () => same, 10)).toEqual(same);
  });
});
