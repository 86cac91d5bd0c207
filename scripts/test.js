// `npm test`: type checks, lint (with the rooms' walls), unit tests (Vitest), end-to-end tests (Playwright in Chromium
// through browser mode); prints the counts of each and a closing "N passed, N failed" line.
// Without a reachable Secret Service it runs itself inside a private D-Bus session with gnome-keyring
// (scripts/keyring.js); `--keyring-check` only says whether one is reachable, and exits.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { missingKeyringTools, missingToolsMessage, PRIVATE_KEYRING_ENV, runInPrivateKeyring, secretServiceProblem } from './keyring.js';

const keyringCheckOnly = process.argv.includes('--keyring-check');
const keyringProblem = secretServiceProblem();
if (keyringProblem && !process.env[PRIVATE_KEYRING_ENV]) {
  const missing = missingKeyringTools();
  if (missing.length === 0) {
    console.log(`No Secret Service is reachable (${keyringProblem}): running inside a private D-Bus session with its own gnome-keyring, as .ci/run does.`);
    process.exit(runInPrivateKeyring(process.execPath, process.argv.slice(1)));
  }
  console.warn(`\n${missingToolsMessage(missing)}\n`);
}
if (keyringCheckOnly) {
  const where = process.env[PRIVATE_KEYRING_ENV] ? 'a private D-Bus session with gnome-keyring, started for this run' : 'this session';
  console.log(keyringProblem ? `Secret Service: not reachable (${keyringProblem})` : `Secret Service: reachable (${where})`);
  process.exit(keyringProblem ? 1 : 0);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

function step(title, command, args, env = {}) {
  console.log(`\n=== ${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) broken = true;
  return result.status === 0;
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

rmSync('test-results', { recursive: true, force: true });
mkdirSync('test-results', { recursive: true });

step('Type check', npm, ['run', '--silent', 'typecheck']);
step('Lint', npm, ['run', '--silent', 'lint']);

step('Unit tests', npx, ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/unit-report.json']);
const unit = readJson('test-results/unit-report.json');
if (unit) {
  const skipped = unit.numPendingTests + unit.numTodoTests;
  console.log(`Unit tests: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed, ${skipped} skipped`);
  totals.passed += unit.numPassedTests;
  totals.failed += unit.numFailedTests;
  totals.skipped += skipped;
} else broken = true;

if (step('Build renderer', npm, ['run', '--silent', 'build:renderer'])) {
  step('End-to-end tests', npx, ['playwright', 'test']);
  const e2e = readJson('test-results/e2e-report.json');
  if (e2e) {
    const { expected = 0, unexpected = 0, skipped = 0, flaky = 0 } = e2e.stats;
    console.log(`End-to-end tests: ${expected + flaky} passed, ${unexpected} failed, ${skipped} skipped`);
    totals.passed += expected + flaky;
    totals.failed += unexpected;
    totals.skipped += skipped;
  } else broken = true;
}

if (broken && totals.failed === 0) totals.failed = 1; // a type error or a crashed runner is a failure too
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(broken ? 1 : 0);
