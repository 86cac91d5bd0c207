// `npm run dist`: the installers (electron-builder: AppImage and deb, dmg, nsis) in release/.
// Stops at once, saying why, on a Node too old for electron-builder 26 or when package.json
// lacks what an installer needs. The app is packaged from a staged copy (dist-app/) whose
// dependencies electron-builder installs and builds for Electron there: the project's own
// node_modules are never rebuilt. Extra arguments go to electron-builder (`npm run dist -- --linux deb`).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builderConfig, metadataProblems, packagingNodeProblem, stageApp } from './packaging.js';

const args = process.argv.slice(2);
const projectDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const nodeProblem = packagingNodeProblem(process.version);
if (nodeProblem) {
  console.error(nodeProblem);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8'));
const config = builderConfig(projectDir);
const problems = metadataProblems(manifest, config, args);
if (problems.length > 0) {
  console.error(`npm run dist cannot package yet:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  process.exit(1);
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: projectDir, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(npm, ['run', 'build']);
const stageDir = stageApp(projectDir);
const configFile = join(stageDir, 'electron-builder.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
run(npx, ['electron-builder', '--projectDir', stageDir, '--config', configFile, ...args]);
