// Where the Electron binary is, or null where none was installed (these machines install
// with ELECTRON_SKIP_BINARY_DOWNLOAD=1). Reads the package's path.txt rather than requiring
// 'electron', whose index tries to download a missing binary.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(packageDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? (existsSync(pathFile) ? join(packageDir, 'dist') : null);
  if (!base) return null;
  const binary = join(base, relative);
  return existsSync(binary) ? binary : null;
}
