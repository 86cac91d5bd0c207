import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { builderConfig, metadataProblems, packagingNodeProblem, PACKAGING_NODE, stageApp, STAGE_DIR } from './packaging.js';

const projectDir = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
// electron-builder validates its configuration against this schema when a build starts; we do it in the tests.
const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const yamlConfig = parse(readFileSync(join(projectDir, 'electron-builder.yml'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));

function errorsOf(config: unknown): string[] {
  return validate(config) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

describe('electron-builder.yml', () => {
  it("is a valid configuration for this project's electron-builder, as written and as npm run dist passes it", () => {
    expect(errorsOf(yamlConfig)).toEqual([]);
    const config = builderConfig(projectDir);
    expect(errorsOf(config)).toEqual([]);
    expect(config.electronVersion).toBe(JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version);
    expect(config.directories.output).toBe(join(projectDir, 'release'));
  });

  it('is checked for real: a misspelt option or a wrong type is refused', () => {
    expect(errorsOf({ ...yamlConfig, asarUnpak: ['**/*.node'] }).join('\n')).toMatch(/additional properties/);
    expect(errorsOf({ ...yamlConfig, linux: { ...yamlConfig.linux, category: 42 } }).length).toBeGreaterThan(0);
  });

  it('packages only the built app: the renderer, the main process bundle and its manifest, without source maps', () => {
    expect(yamlConfig.files).toEqual(['dist/renderer/**', 'dist-electron/**', 'package.json', '!**/*.map']);
    expect(yamlConfig.extraMetadata.main).toBe(manifest.main);
  });
});

describe('npm run dist', () => {
  it(`needs Node ${PACKAGING_NODE} or newer, and says so`, () => {
    for (const old of ['v20.19.0', 'v20.20.2', 'v22.11.0', 'v18.20.4']) expect(packagingNodeProblem(old), old).toMatch(/npm run dist needs Node 22\.12\.0 or newer/);
    for (const recent of ['v22.12.0', 'v22.20.0', 'v24.1.0', 'v25.0.0']) expect(packagingNodeProblem(recent), recent).toBeNull();
  });

  it(`stops at once on a Node older than ${PACKAGING_NODE}, before building anything`, ({ skip }) => {
    skip(packagingNodeProblem(process.version) === null, `this is Node ${process.versions.node}, which can package: npm run dist would really build here`);
    const started = Date.now();
    const result = spawnSync(process.execPath, [join(projectDir, 'scripts/dist.js')], { cwd: projectDir, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`npm run dist needs Node ${PACKAGING_NODE} or newer (this is Node ${process.versions.node})`);
    expect(result.stdout).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('says before building what the deb installer needs from package.json, instead of failing at the end', () => {
    const bare = { name: 'craft-mlops-desktop', version: '0.1.0' };
    expect(metadataProblems(bare, yamlConfig, [], 'linux')).toEqual([expect.stringMatching(/maintainer: set "author"/), expect.stringMatching(/project URL: set "homepage"/)]);
    expect(metadataProblems({ ...bare, author: 'Ada <ada@example.org>', homepage: 'https://example.org' }, yamlConfig, [], 'linux')).toEqual([]);
    expect(metadataProblems(bare, yamlConfig, ['--mac'], 'linux')).toEqual([]);
    expect(metadataProblems(bare, yamlConfig, [], 'darwin')).toEqual([]);
    expect(metadataProblems(bare, yamlConfig, ['--linux', 'deb'], 'darwin')).toHaveLength(2);
  });

  it("stages the app with its run-time dependencies and lockfile but no node_modules, so the Electron builds of native modules are made there and never in the project's own", () => {
    const project = mkdtempSync(join(tmpdir(), 'craft-dist-'));
    for (const [file, text] of [
      ['dist/renderer/index.html', '<!doctype html>'],
      ['dist/renderer/assets/index.js', 'x'],
      ['dist/renderer/assets/index.js.map', '{}'],
      ['dist-electron/main.cjs', 'main'],
      ['dist-electron/main.cjs.map', '{}'],
      ['dist-electron/preload.cjs', 'preload'],
      ['resources/icon.png', 'png'],
      ['node_modules/better-sqlite3/package.json', '{}'],
      ['package-lock.json', '{"lockfileVersion":3}'],
    ] as const) {
      mkdirSync(join(project, file, '..'), { recursive: true });
      writeFileSync(join(project, file), text);
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify(manifest));
    const stage = stageApp(project);
    expect(stage).toBe(join(project, STAGE_DIR));
    expect(readdirSync(stage).sort()).toEqual(['dist', 'dist-electron', 'package-lock.json', 'package.json', 'resources']);
    const staged = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8'));
    expect(staged).toMatchObject({ name: manifest.name, version: manifest.version, main: manifest.main, dependencies: manifest.dependencies });
    expect(staged.dependencies).toHaveProperty('better-sqlite3');
    expect(staged.dependencies).toHaveProperty('keytar');
    expect(staged).not.toHaveProperty('devDependencies');
    expect(staged).not.toHaveProperty('scripts');
    expect(existsSync(join(stage, 'dist-electron/main.cjs.map'))).toBe(false);
    expect(existsSync(join(stage, 'dist/renderer/assets/index.js'))).toBe(true);
  });

  it('refuses to stage an app that was not built', () => {
    const project = mkdtempSync(join(tmpdir(), 'craft-dist-'));
    expect(() => stageApp(project)).toThrow(/dist\/renderer\/index.html is missing: run npm run build first/);
  });
});
