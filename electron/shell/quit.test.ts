import { describe, expect, it } from 'vitest';
import { guardQuit } from './quit.js';

function willQuit() {
  const event = { prevented: false, preventDefault: () => (event.prevented = true) };
  return event;
}

describe('quitting', () => {
  it('holds the quit until the app has closed, closes once however often quit is asked, then lets it through', async () => {
    let finishClosing!: () => void;
    let closes = 0;
    let quits = 0;
    const onWillQuit = guardQuit({
      close: () => {
        closes++;
        return new Promise<void>((resolve) => (finishClosing = resolve));
      },
      quit: () => quits++,
      log: () => {},
    });
    const first = willQuit();
    onWillQuit(first);
    expect(first.prevented).toBe(true);
    const again = willQuit(); // Cmd+Q pressed twice
    onWillQuit(again);
    expect(again.prevented).toBe(true);
    expect(closes).toBe(1);
    expect(quits).toBe(0);

    finishClosing();
    await new Promise((resolve) => setImmediate(resolve));
    expect(quits).toBe(1);
    const last = willQuit();
    onWillQuit(last);
    expect(last.prevented).toBe(false);
  });

  it('still quits when closing fails, and says why', async () => {
    const logged: string[] = [];
    let quits = 0;
    const onWillQuit = guardQuit({ close: async () => Promise.reject(new Error('disk full')), quit: () => quits++, log: (m) => logged.push(m) });
    onWillQuit(willQuit());
    await new Promise((resolve) => setImmediate(resolve));
    expect(quits).toBe(1);
    expect(logged).toEqual(['Closing the app failed: disk full']);
  });
});
