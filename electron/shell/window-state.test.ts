import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWindowState, restoreBounds, writeWindowState, type WindowState } from './window-state.js';

const size = { width: 1280, height: 820 };
const fullHd = { x: 0, y: 0, width: 1920, height: 1040 };
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1400 };
const leftMonitor = { x: -1920, y: 0, width: 1920, height: 1080 };
const state = (x: number, y: number, width: number, height: number): WindowState => ({ x, y, width, height, maximized: false });

describe("restoring the window's place", () => {
  it('opens at the default size, centred, the first time', () => {
    expect(restoreBounds(null, { all: [fullHd], primary: fullHd }, size)).toEqual(size);
  });

  it('puts the window back exactly where it was when that place is still on a display, on any monitor', () => {
    expect(restoreBounds(state(100, 60, 1100, 700), { all: [fullHd], primary: fullHd }, size)).toEqual({ x: 100, y: 60, width: 1100, height: 700 });
    expect(restoreBounds(state(2000, 100, 1600, 900), { all: [fullHd, rightMonitor], primary: fullHd }, size)).toEqual({ x: 2000, y: 100, width: 1600, height: 900 });
    expect(restoreBounds(state(-1800, 50, 1200, 800), { all: [leftMonitor, fullHd], primary: fullHd }, size)).toEqual({ x: -1800, y: 50, width: 1200, height: 800 });
  });

  it('pulls a window half dragged off the screen fully back onto it', () => {
    expect(restoreBounds(state(-600, 900, 1280, 820), { all: [fullHd], primary: fullHd }, size)).toEqual({ x: 0, y: 220, width: 1280, height: 820 });
  });

  it('shrinks a window larger than the display it is on (a lower resolution since)', () => {
    const laptop = { x: 0, y: 27, width: 1366, height: 741 };
    expect(restoreBounds(state(0, 27, 1900, 1000), { all: [laptop], primary: laptop }, size)).toEqual({ x: 0, y: 27, width: 1366, height: 741 });
  });

  it('opens centred, fitted to the primary display, when the monitor it was on is gone', () => {
    const laptop = { x: 0, y: 0, width: 1366, height: 740 };
    expect(restoreBounds(state(2400, 200, 1600, 1000), { all: [laptop], primary: laptop }, size)).toEqual({ width: 1280, height: 740 });
    // A sliver left visible is not enough to find and grab the window.
    expect(restoreBounds(state(1300, 700, 1280, 820), { all: [laptop], primary: laptop }, size)).toEqual({ width: 1280, height: 740 });
  });
});

describe('the saved window state', () => {
  const dir = mkdtempSync(join(tmpdir(), 'craft-window-state-'));

  it('is written for its owner only and read back as it was', () => {
    const file = join(dir, 'window-state.json');
    writeWindowState(file, { x: -1800, y: 50, width: 1200, height: 800, maximized: true });
    expect(readWindowState(file)).toEqual({ x: -1800, y: 50, width: 1200, height: 800, maximized: true });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ maximized: true });
  });

  it('is ignored when missing, truncated or not what we wrote: the window then opens at the default place', () => {
    expect(readWindowState(join(dir, 'none.json'))).toBeNull();
    for (const [name, text] of [
      ['truncated.json', '{"x": 10, "y": 2'],
      ['wrong.json', '{"x": "10", "y": 20, "width": 100, "height": 100, "maximized": false}'],
      ['zero.json', '{"x": 0, "y": 0, "width": 0, "height": 100, "maximized": false}'],
    ] as const) {
      writeFileSync(join(dir, name), text);
      expect(readWindowState(join(dir, name)), name).toBeNull();
    }
  });
});
