// Against a real OpenSSH server on 127.0.0.1 with real git repositories, set up here.
// The SSH user is root (this test machine has no `git` account): the URLs are the
// domain's `ssh://git@127.0.0.1:PORT/…` form and the user is overridden with `user: 'root'`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnownHosts, BUILTIN_HOST_KEYS } from '../electron/services/known-hosts.js';
import { parseRefAdvertisement, parseRepositoryTarget, testRepositoryAccess } from './repo-access.js';
import { createTestRepository, freePort, sshdSkipReason as skipReason, startTestSshd, testCommandRunner, type TestSshd } from '../electron/services/testing/sshd.js';

if (skipReason) console.warn(`repo-access tests against sshd skipped: ${skipReason}`);

const dir = mkdtempSync(join(tmpdir(), 'craft-sshd-'));
let sshd: TestSshd | undefined;
let port = 0;
let hostFingerprint = '';
let goodKey = '';
let otherKey = '';


const run = testCommandRunner(dir);

function keyPair(name: string): string {
  run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', name, '-f', join(dir, name)]);
  return readFileSync(join(dir, name), 'utf8');
}

beforeAll(async () => {
  if (skipReason) return;
  goodKey = keyPair('deploy');
  otherKey = keyPair('other');

  // A repository with three branches, main the default, and an empty one.
  createTestRepository(dir);
  run('git', ['init', '-q', '--bare', '-b', 'trunk', join(dir, 'empty.git')]);

  sshd = await startTestSshd(dir, readFileSync(join(dir, 'deploy.pub'), 'utf8'));
  ({ port, hostFingerprint } = sshd);
});

afterAll(() => {
  sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const url = (path: string) => `ssh://git@127.0.0.1:${port}${join(dir, path)}`;

describe.skipIf(!!skipReason)('testRepositoryAccess against a real sshd and git', () => {
  it('asks to confirm an unknown host key, then reads branches once it is trusted', async () => {
    const known = KnownHosts.load(join(dir, 'data'));
    const first = await testRepositoryAccess({ url: url('repo.git'), privateKeyPem: goodKey, knownHosts: known, user: 'root' });
    expect(first).toMatchObject({ ok: false, step: 'unknown_host_key', host_fingerprint: hostFingerprint, host: `[127.0.0.1]:${port}` });
    if (!first.ok) expect(first.message).toContain(hostFingerprint);

    const confirmed = await testRepositoryAccess({ url: url('repo.git'), privateKeyPem: goodKey, knownHosts: known, user: 'root', acceptHostFingerprint: hostFingerprint });
    expect(confirmed).toEqual({ ok: true, host: `[127.0.0.1]:${port}`, host_fingerprint: hostFingerprint, default_branch: 'main', branch_count: 3 });

    // Remembered across loads (known_hosts.json), no confirmation needed any more.
    const again = await testRepositoryAccess({ url: url('repo.git'), privateKeyPem: goodKey, knownHosts: KnownHosts.load(join(dir, 'data')), user: 'root' });
    expect(again.ok).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'data', 'known_hosts.json'), 'utf8')).hosts[`[127.0.0.1]:${port}`]).toEqual([hostFingerprint]);

    const empty = await testRepositoryAccess({ url: url('empty.git'), privateKeyPem: goodKey, knownHosts: known, user: 'root' });
    expect(empty).toMatchObject({ ok: true, branch_count: 0 });
  });

  it('says which step failed: key refused, repository not found, changed host key, unreachable', async () => {
    const known = KnownHosts.inMemory();
    known.trust('127.0.0.1', port, hostFingerprint);
    const refused = await testRepositoryAccess({ url: url('repo.git'), privateKeyPem: otherKey, knownHosts: known, user: 'root' });
    expect(refused).toMatchObject({ ok: false, step: 'key_refused' });
    if (!refused.ok) expect(refused.message).toMatch(/refused this deploy key: add the public key/);

    const missing = await testRepositoryAccess({ url: url('nope.git'), privateKeyPem: goodKey, knownHosts: known, user: 'root' });
    expect(missing).toMatchObject({ ok: false, step: 'repository_not_found' });
    if (!missing.ok) expect(missing.message).toMatch(/does not appear to be a git repository/);

    const changed = KnownHosts.inMemory();
    changed.trust('127.0.0.1', port, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const tampered = await testRepositoryAccess({ url: url('repo.git'), privateKeyPem: goodKey, knownHosts: changed, user: 'root', acceptHostFingerprint: hostFingerprint });
    expect(tampered).toMatchObject({ ok: false, step: 'changed_host_key', host_fingerprint: hostFingerprint });

    const closed = await freePort();
    const down = await testRepositoryAccess({ url: `ssh://git@127.0.0.1:${closed}/x.git`, privateKeyPem: goodKey, knownHosts: known, user: 'root', timeoutMs: 3_000 });
    expect(down).toMatchObject({ ok: false, step: 'unreachable' });
    if (!down.ok) expect(down.message).toMatch(/connection refused/);

    // Only the deploy key ever logged in (no agent, no password, no other key).
    const deployFingerprint = run('ssh-keygen', ['-lf', join(dir, 'deploy.pub')]).split(' ')[1]!;
    const accepted = [...sshd!.log().matchAll(/Accepted (\S+) for root from 127\.0\.0\.1 port \d+ ssh2: RSA (SHA256:\S+)/g)];
    expect(accepted.length).toBeGreaterThan(0);
    for (const m of accepted) expect([m[1], m[2]]).toEqual(['publickey', deployFingerprint]);
  });
});

describe('repository addresses, host keys and ref advertisements', () => {
  it('parses scp-like and ssh:// URLs as git does', () => {
    expect(parseRepositoryTarget('git@github.com:owner/repo.git')).toEqual({ user: 'git', host: 'github.com', port: 22, path: 'owner/repo.git' });
    expect(parseRepositoryTarget('ssh://git@gitlab.example.com:2222/group/sub/repo.git')).toEqual({ user: 'git', host: 'gitlab.example.com', port: 2222, path: '/group/sub/repo.git' });
    expect(parseRepositoryTarget('https://github.com/o/r.git')).toBeNull();
    expect(parseRepositoryTarget("git@h:o/r';rm -rf /")).toBeNull();
  });

  it('has github.com and gitlab.com keys built in and refuses a changed key', () => {
    const known = KnownHosts.inMemory();
    expect(known.verdict('github.com', 22, BUILTIN_HOST_KEYS['github.com']![0]!)).toBe('trusted');
    expect(known.verdict('GitLab.com', 22, BUILTIN_HOST_KEYS['gitlab.com']![2]!)).toBe('trusted');
    expect(known.verdict('github.com', 22, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe('changed');
    expect(known.verdict('git.example.com', 22, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toBe('unknown');
    expect(() => known.trust('github.com', 22, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toThrow(/changed/);
  });

  it('reads a ref advertisement split across chunks', () => {
    const pkt = (s: string) => `${(s.length + 4).toString(16).padStart(4, '0')}${s}`;
    const sha = 'a'.repeat(40);
    const text = pkt(`${sha} HEAD\0multi_ack symref=HEAD:refs/heads/trunk agent=git/2\n`) + pkt(`${sha} refs/heads/trunk\n`) + pkt(`${'b'.repeat(40)} refs/tags/v1\n`) + '0000';
    expect(parseRefAdvertisement(Buffer.from(text.slice(0, 30)))).toBeNull();
    const ads = parseRefAdvertisement(Buffer.from(text))!;
    expect(ads.symref).toBe('refs/heads/trunk');
    expect([...ads.branches.keys()]).toEqual(['trunk']);
  });
});
