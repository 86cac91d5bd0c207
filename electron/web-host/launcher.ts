// What the system browser is asked to open in browser mode: not the App URL, which carries the
// connection token and would sit in the opener's and the browser's command lines (readable by any
// local user in /proc/*/cmdline), but an owner-only file in the data folder that leads there.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../services/connections.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Writes `<dataDir>/open-app.html` (mode 0600), which sends the browser to the App URL; returns its path. */
export function writeLauncher(dataDir: string, appUrl: string): string {
  const file = join(dataDir, 'open-app.html');
  const url = escapeHtml(appUrl);
  writeFileAtomic(
    file,
    `<!doctype html>\n<meta charset="utf-8">\n<meta name="referrer" content="no-referrer">\n<meta http-equiv="refresh" content="0;url=${url}">\n` +
      `<title>Craft MLOps Desktop</title>\n<p><a href="${url}">Open Craft MLOps Desktop</a> (this file is valid while browser mode runs)</p>\n`,
    0o600,
  );
  return file;
}

/** The token it holds dies with this launch: the file goes too. */
export function removeLauncher(file: string): void {
  rmSync(file, { force: true });
}
