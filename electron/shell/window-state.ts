// The window's size and position, remembered across launches: saved when the window closes,
// restored onto a display that still exists (a monitor unplugged, a resolution lowered),
// never off-screen.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Rectangle } from 'electron';
import { z } from 'zod';

const windowStateSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  maximized: z.boolean(),
});

export type WindowState = z.infer<typeof windowStateSchema>;

export const WINDOW_STATE_FILE = 'window-state.json';

/** At least this much of the window must fall on a display to keep its place. */
const MIN_VISIBLE = { width: 200, height: 100 };

/** The saved state, or null when there is none or it cannot be read (then the window opens centred). */
export function readWindowState(file: string): WindowState | null {
  try {
    const parsed = windowStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written to a temporary file then renamed: a crash mid-write never leaves half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(windowStateSchema.parse(state))}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function overlap(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

const clamp = (value: number, low: number, high: number) => Math.min(Math.max(value, low), high);

/**
 * Where to open the window: the saved bounds, moved and shrunk to fit inside the work area
 * of the display showing most of it; or, when nothing was saved or too little of it would be
 * visible on any display, the default size fitted to the primary display (Electron centres it).
 */
export function restoreBounds(saved: WindowState | null, displays: { all: Rectangle[]; primary: Rectangle }, size: { width: number; height: number }): Partial<Rectangle> {
  let best: { area: Rectangle; visible: number } | null = null;
  for (const area of saved ? displays.all : []) {
    const seen = overlap(saved!, area);
    if (seen.width < Math.min(MIN_VISIBLE.width, saved!.width) || seen.height < Math.min(MIN_VISIBLE.height, saved!.height)) continue;
    const visible = seen.width * seen.height;
    if (!best || visible > best.visible) best = { area, visible };
  }
  if (!saved || !best) return { width: Math.min(size.width, displays.primary.width), height: Math.min(size.height, displays.primary.height) };
  const { area } = best;
  const width = Math.min(saved.width, area.width);
  const height = Math.min(saved.height, area.height);
  return {
    x: clamp(saved.x, area.x, area.x + area.width - width),
    y: clamp(saved.y, area.y, area.y + area.height - height),
    width,
    height,
  };
}
