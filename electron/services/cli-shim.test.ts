import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCliShim } from './cli-shim.js';

describe('the craft command launcher', () => {
  it('runs the bundled CLI with the app runtime in Node mode, passing every argument through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'craft shim '));
    const script = join(dir, "fake cli's.cjs");
    writeFileSync(script, 'console.log(JSON.stringify({ args: process.argv.slice(2), node: process.env.ELECTRON_RUN_AS_NODE }))');
    const result = installCliShim({ executable: process.execPath, script, dir: join(dir, 'bin'), platform: 'linux', env: { PATH: '/usr/bin' } });
    expect(statSync(result.path).mode & 0o111).not.toBe(0);
    expect(result.on_path).toBe(false);
    expect(result.message).toContain('not on your PATH');
    const out = execFileSync(result.path, ['token', 'show', 'two words'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ args: ['token', 'show', 'two words'], node: '1' });
  });

  it('says the command is ready when its folder is on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'craft-shim-'));
    const result = installCliShim({ executable: process.execPath, script: '/x.cjs', dir, platform: 'linux', env: { PATH: `/usr/bin:${dir}` } });
    expect(result.on_path).toBe(true);
    expect(result.message).toContain('craft --help');
  });
});
