// What `npm run dist` decides, as plain functions (scripts/dist.js runs them):
// - which Node it needs: electron-builder 26's helpers (@electron/get, @electron/rebuild and
//   its node-abi) require Node >= 22.12, and fail deep inside a build on an older one;
// - the staged app: electron-builder's two-package.json layout. The app is packaged from
//   dist-app/, whose node_modules electron-builder installs and builds against Electron's ABI,
//   so the project's node_modules keep their Node builds and the tests never meet an Electron build.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const PACKAGING_NODE = '22.12.0';
export const STAGE_DIR = 'dist-app';

/** Why this Node cannot package the app, or null when it can. */
export function packagingNodeProblem(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = PACKAGING_NODE.split('.').map(Number);
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return (
    `npm run dist needs Node ${PACKAGING_NODE} or newer (this is Node ${version.replace(/^v/, '')}): ` +
    `electron-builder 26's helpers (@electron/get, @electron/rebuild, node-abi) require it. ` +
    `Install Node 22.12+ (or 24) to package; development and npm test work on Node 20.19+.`
  );
}

/** Whether these electron-builder arguments build the Linux targets (the default on Linux). */
export function buildsLinux(args, platform = process.platform) {
  if (args.includes('--linux') || args.includes('-l')) return true;
  return platform === 'linux' && !args.some((arg) => ['--mac', '-m', '--win', '-w'].includes(arg));
}

/**
 * What the installers need from package.json that electron-builder only asks for deep in a
 * build: the deb needs a maintainer (author with an email, or linux.maintainer) and a homepage.
 */
export function metadataProblems(manifest, config, args, platform = process.platform) {
  const problems = [];
  const targets = [config.linux?.target ?? []].flat().map((target) => (typeof target === 'string' ? target : target.target));
  if (buildsLinux(args, platform) && targets.includes('deb')) {
    const author = typeof manifest.author === 'string' ? /<[^>]+@[^>]+>/.test(manifest.author) : !!manifest.author?.email;
    if (!author && !config.linux?.maintainer) problems.push('the deb package needs a maintainer: set "author": "Name <email>" in package.json (or linux.maintainer in electron-builder.yml)');
    if (!manifest.homepage && !manifest.repository) problems.push('the deb package needs a project URL: set "homepage" (or "repository") in package.json');
  }
  return problems;
}

/** The staged app's package.json: what the app needs at run time, nothing for development. */
export function stagedManifest(manifest) {
  const keep = ['name', 'productName', 'version', 'description', 'author', 'homepage', 'license', 'type', 'main', 'dependencies', 'allowScripts'];
  return Object.fromEntries(keep.filter((key) => manifest[key] !== undefined).map((key) => [key, manifest[key]]));
}

/** The files the packaged app is made of, copied into the stage with its manifest and lockfile; no node_modules (electron-builder installs them there). */
export function stageApp(projectDir, stageDir = join(projectDir, STAGE_DIR)) {
  for (const built of ['dist/renderer/index.html', 'dist-electron/main.cjs', 'dist-electron/preload.cjs']) {
    if (!existsSync(join(projectDir, built))) throw new Error(`${built} is missing: run npm run build first`);
  }
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
  writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(stagedManifest(manifest), null, 2)}\n`);
  // The lockfile keeps the packaged dependencies at the versions the tests ran with.
  cpSync(join(projectDir, 'package-lock.json'), join(stageDir, 'package-lock.json'));
  for (const dir of ['dist/renderer', 'dist-electron', 'resources']) cpSync(join(projectDir, dir), join(stageDir, dir), { recursive: true, filter: (source) => !source.endsWith('.map') });
  return stageDir;
}

/** electron-builder.yml, for the staged app: the Electron version the project pins, the installers written to the project's release/. */
export function builderConfig(projectDir) {
  const config = parse(readFileSync(join(projectDir, 'electron-builder.yml'), 'utf8'));
  const electronVersion = JSON.parse(readFileSync(join(projectDir, 'node_modules/electron/package.json'), 'utf8')).version;
  return { ...config, electronVersion, directories: { ...config.directories, output: resolve(projectDir, config.directories?.output ?? 'release') } };
}
