// Where the Electron binary is, or null where none was installed
// (these machines install with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}
