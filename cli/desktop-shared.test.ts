// Signed in once, usable from either: the desktop app's services and the craft command on
// the same data dir and the same keychain (a private Secret Service, see test-helpers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { craft, EMAIL, KEYCHAIN_SKIP, keyringEnvironment, PASSWORD, startCliPlatform, startKeyring, tempDir, type CliPlatform } from './test-helpers.js';

const data = tempDir();
let team: CliPlatform;
let stopKeyring = () => {};
let desktop: ChildProcess | undefined;
let embeddedUrl = '';

function tsx(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'testing', script), ...args], { env: keyringEnvironment(), encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${script}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  if (KEYCHAIN_SKIP) return;
  stopKeyring = await startKeyring();
  team = await startCliPlatform();
  desktop = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'testing', 'desktop-main.ts'), data.dir], { env: keyringEnvironment(), stdio: ['pipe', 'pipe', 'inherit'] });
  const ready = await new Promise<{ url: string; storage: string }>((resolve, reject) => {
    let text = '';
    desktop!.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!));
    });
    desktop!.on('exit', (code) => reject(new Error(`the desktop services ended (${code})`)));
  });
  expect(ready.storage).toBe('keychain');
  embeddedUrl = ready.url;
}, 120_000);

afterAll(async () => {
  if (desktop && desktop.exitCode === null) {
    desktop.stdin!.end();
    await new Promise((r) => desktop!.once('exit', r));
  }
  if (!KEYCHAIN_SKIP) await craft(['logout'], { dataDir: data.dir }).catch(() => undefined);
  await team?.dispose();
  stopKeyring();
  data.remove();
});

describe.skipIf(!!KEYCHAIN_SKIP)(`the desktop app and craft share connections and keychain${KEYCHAIN_SKIP ? ` — skipped: ${KEYCHAIN_SKIP}` : ''}`, () => {
  it('craft works as the local admin the desktop app signed in to its own platform', async () => {
    const who = await craft(['whoami', '--json'], { dataDir: data.dir });
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ connection: { kind: 'embedded', url: embeddedUrl }, user: { email: 'admin@localhost' }, token_storage: 'keychain' });
  });

  it('the desktop app works with the team connection craft signed in to', async () => {
    const login = await craft(['login', '--platform', team.url, '--email', EMAIL, '--password-stdin'], { dataDir: data.dir, input: PASSWORD });
    expect(login.code, login.stderr).toBe(0);
    const seen = JSON.parse(await tsx('desktop-whoami.ts', [data.dir])) as { connection: string; kind: string; email: string; storage: string };
    expect(seen).toEqual({ connection: new URL(team.url).host, kind: 'team', email: EMAIL, storage: 'keychain' });
    const list = JSON.parse((await craft(['connections', 'list', '--json'], { dataDir: data.dir })).stdout) as { kind: string; active: boolean; signed_in: boolean }[];
    expect(list.map((c) => [c.kind, c.active, c.signed_in])).toEqual([
      ['embedded', false, true],
      ['team', true, true],
    ]);
  });

  it('with the desktop app closed, its own platform is offline (4) and the message says to start the app', async () => {
    desktop!.stdin!.end();
    await new Promise((r) => desktop!.once('exit', r));
    const r = await craft(['whoami', '--connection', 'This computer'], { dataDir: data.dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/start Craft MLOps Desktop/);
    // The team connection is unaffected.
    expect((await craft(['whoami'], { dataDir: data.dir })).code).toBe(0);
  });
});
