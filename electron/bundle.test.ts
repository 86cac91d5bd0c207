// The Electron shell cannot run on these machines (no binary), but its bundle can be built
// and checked: the preload stays self-contained, the craft command the PATH launcher starts
// runs under a plain Node runtime, the page carries its CSP, and electronegativity (the
// Electron security scanner) finds nothing unanswered in the shell's sources or the built app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { RENDERER_CSP } from './content-security-policy.js';
import { answersCheck, electronVersion, scanForFindings, type Finding } from './main/testing/electronegativity.js';
import { CRAFT_CHANNEL } from './shell/ipc-sender.js';

const projectDir = resolve(import.meta.dirname, '..');
// Inside the project, so the bundle resolves its external dependencies as the app does.
mkdirSync(join(projectDir, 'test-results'), { recursive: true });
const workDir = mkdtempSync(join(projectDir, 'test-results', 'electron-bundle-'));
const electronDir = join(workDir, 'dist-electron');
const rendererDir = join(workDir, 'renderer');

// Builds and scans take a while on a busy machine.
const SLOW = { timeout: 240_000 };

beforeAll(() => {
  execFileSync('npx', ['vite', 'build', '--config', 'vite.electron.config.ts', '--outDir', electronDir, '--logLevel', 'error'], { cwd: projectDir, stdio: 'inherit' });
  // The scanner's parser predates class private fields: the renderer is built for ES2021 here (same code, fields lowered).
  execFileSync('npx', ['vite', 'build', '--outDir', rendererDir, '--emptyOutDir', '--target', 'es2021', '--logLevel', 'error'], { cwd: projectDir, stdio: 'inherit' });
}, SLOW.timeout);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name));
}

describe('the Electron bundle', () => {
  it('has a sandbox-ready preload that requires nothing but electron, on the channel main answers', () => {
    const preload = readFileSync(join(electronDir, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(preload).toContain('craftHost');
    expect(preload).toContain(`ipcRenderer.invoke(${JSON.stringify(CRAFT_CHANNEL)}`);
  });

  it('runs the craft command under a plain Node runtime', () => {
    const help = execFileSync(process.execPath, [join(electronDir, 'craft.cjs'), '--help'], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    expect(help).toContain('Usage: craft');
  });
});

describe('electronegativity, the Electron security scanner', () => {
  it("finds nothing of medium or higher severity in the shell's sources that is not answered in a comment by the code that handles it", SLOW, async () => {
    const stage = join(workDir, 'sources');
    for (const part of ['main', 'preload', 'shell', 'content-security-policy.ts']) {
      cpSync(join(projectDir, 'electron', part), join(stage, 'electron', part), { recursive: true, filter: (source) => !source.endsWith('.test.ts') && !source.includes('/testing') });
    }
    const scan = await scanForFindings(stage);
    expect(scan.checks).toBeGreaterThan(30);
    expect(scan.parseErrors).toEqual([]);
    expect(scan.findings).toEqual([]);
  });

  it('finds nothing of medium or higher severity in the built app (main, preload, renderer, its page and CSP) that is not answered at the source line it maps back to', SLOW, async () => {
    // The packaged app's layout; the scanner reads .js, not .cjs.
    const stage = join(workDir, 'app');
    const builtFrom = new Map<string, string>();
    for (const file of filesUnder(electronDir).filter((f) => f.endsWith('.cjs'))) {
      const staged = join(stage, 'dist-electron', relative(electronDir, file).replace(/\.cjs$/, '.js'));
      mkdirSync(dirname(staged), { recursive: true });
      cpSync(file, staged);
      builtFrom.set(relative(stage, staged), file);
    }
    cpSync(rendererDir, join(stage, 'dist', 'renderer'), { recursive: true });
    for (const file of filesUnder(join(stage, 'dist', 'renderer')).filter((f) => f.endsWith('.js'))) builtFrom.set(relative(stage, file), file);
    writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: 'craft-mlops-desktop', main: 'dist-electron/main.js', devDependencies: { electron: electronVersion() } }));

    const scan = await scanForFindings(stage);
    expect(scan.parseErrors).toEqual([]);
    const traced = scan.findings.map((finding) => ({ finding, source: sourceLineOf(finding, builtFrom) }));
    const unanswered = traced.filter(({ finding, source }) => !source || !answersCheck(source.text, finding.check));
    expect(unanswered).toEqual([]);
    // The bundle's findings were traced to our sources, where their answers are.
    expect(traced.map(({ finding, source }) => `${finding.check} ${source?.file}`).sort()).toEqual([
      'OPEN_EXTERNAL_JS_CHECK electron/main/main-process.ts',
      'PRELOAD_JS_CHECK electron/shell/window.ts',
    ]);
  });

  it('would flag a window opened without the sandbox or context isolation, and an app with no navigation limits: the scan is not blind', SLOW, async () => {
    const stage = join(workDir, 'unsafe');
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'main.js'), "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { sandbox: false, contextIsolation: false } });\n");
    const checks = (await scanForFindings(stage)).findings.map((finding) => finding.check);
    expect(checks).toEqual(expect.arrayContaining(['SANDBOX_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']));
  });

  it('sees the CSP in the built page, which file:// needs since it carries no headers', () => {
    const html = readFileSync(join(rendererDir, 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(RENDERER_CSP.split('; ').filter((directive) => !directive.startsWith('frame-ancestors')).join('; '));
  });
});

/** The source line a finding in a built file comes from, through the file's source map. */
function sourceLineOf(finding: Finding, builtFrom: Map<string, string>): { file: string; text: string } | null {
  const built = builtFrom.get(finding.file);
  if (!built) return null;
  const mapFile = `${built}.map`;
  const map = new TraceMap(readFileSync(mapFile, 'utf8'), mapFile);
  const position = originalPositionFor(map, { line: finding.line, column: finding.column });
  if (!position.source || position.line === null) return null;
  const source = resolve(dirname(mapFile), position.source);
  return { file: relative(projectDir, source), text: readFileSync(source, 'utf8').split('\n')[position.line - 1] ?? '' };
}
