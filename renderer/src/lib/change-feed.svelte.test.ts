import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChangeFeed, type CursorAnswer } from './change-feed.svelte.js';
import { resource } from './resource.svelte.js';

const online = (cursor: string): CursorAnswer => ({ cursor, freshness: { source: 'platform', offline: false, synced_at: '2026-01-01T00:00:00.000Z' } });
const offline: CursorAnswer = { cursor: null, freshness: { source: 'cache', offline: true, synced_at: null } };

afterEach(() => {
  vi.useRealTimers();
});

/** A feed over a cursor the test moves, with the window's visibility the test sets. */
function feedOver(answers: () => CursorAnswer, visible = () => true) {
  let asked = 0;
  const feed = new ChangeFeed({
    intervalMs: 1_000,
    visible,
    ask: async () => {
      asked += 1;
      return answers();
    },
  });
  return { feed, asked: () => asked };
}

describe('the change feed', () => {
  it('counts an epoch each time the cursor moves, not while it stays, and asks only while followed', async () => {
    vi.useFakeTimers();
    let cursor = '10';
    const { feed, asked } = feedOver(() => online(cursor));
    const stop = feed.follow();
    await vi.advanceTimersByTimeAsync(0);
    expect(asked()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(asked()).toBe(4);
    expect(feed.epoch).toBe(0);
    cursor = '11';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(feed.epoch).toBe(1);
    stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked()).toBe(5);
  });

  it('asks nothing while the window is hidden', async () => {
    vi.useFakeTimers();
    let shown = false;
    const { feed, asked } = feedOver(() => online('1'), () => shown);
    const stop = feed.follow();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked()).toBe(0);
    shown = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(asked()).toBe(1);
    stop();
  });

  it('offline keeps the last cursor: a change made meanwhile counts when the platform answers again', async () => {
    vi.useFakeTimers();
    let answer = online('5');
    const { feed } = feedOver(() => answer);
    const stop = feed.follow();
    await vi.advanceTimersByTimeAsync(0);
    answer = offline;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(feed.epoch).toBe(0);
    answer = online('7');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(feed.epoch).toBe(1);
    stop();
  });

  it('back online with nothing changed still counts one epoch: the views showed the cache meanwhile', async () => {
    vi.useFakeTimers();
    let answer = online('5');
    const { feed } = feedOver(() => answer);
    const stop = feed.follow();
    await vi.advanceTimersByTimeAsync(0);
    answer = offline;
    await vi.advanceTimersByTimeAsync(1_000);
    answer = online('5');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(feed.epoch).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(feed.epoch).toBe(1);
    stop();
  });

  it('a live resource loads again, its value kept meanwhile, when the cursor moves, and says when it was updated', async () => {
    vi.useFakeTimers();
    let cursor = '1';
    const { feed } = feedOver(() => online(cursor));
    let loads = 0;
    let r!: ReturnType<typeof resource<number>>;
    const destroy = $effect.root(() => {
      r = resource(async () => ++loads, { live: true, feed });
    });
    flushSync();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.value).toBe(1);
    expect(r.updatedAt).toEqual(expect.any(Number));
    const first = r.updatedAt!;
    await vi.advanceTimersByTimeAsync(2_000);
    flushSync();
    expect(loads).toBe(1);
    cursor = '2';
    await vi.advanceTimersByTimeAsync(1_000);
    flushSync();
    await vi.advanceTimersByTimeAsync(0);
    expect(loads).toBe(2);
    expect(r.value).toBe(2);
    expect(r.updatedAt!).toBeGreaterThan(first);
    destroy();
    cursor = '3';
    await vi.advanceTimersByTimeAsync(3_000);
    flushSync();
    expect(loads).toBe(2);
  });
});
