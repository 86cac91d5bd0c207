// `npm start`: the desktop app where an Electron binary exists, browser mode where none does.
import { spawn, spawnSync } from 'node:child_process';
import { electronBinary } from './electron-binary.js';

const args = process.argv.slice(2);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const binary = electronBinary();

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (binary) {
  const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  run(binary, ['.', ...args]);
} else {
  console.log('No Electron binary on this machine: starting browser mode instead (npm run web).');
  run(npm, ['run', 'web', '--', ...args]);
}
