// Issue 15 item 10, the platform's side: "Test access" with the key it holds, and a replacement key
// tested against the repository before it is saved — against a real sshd serving a real git repository.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshdSkipReason, startTestGitServer, type TestGitServer } from '../electron/services/testing/sshd.js';
import { addUser, bearer, createTestPlatform, DIALECTS, validProject, type TestPlatform } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'craft-git-'));
let git: TestGitServer | undefined;
let keys: Record<'first' | 'next' | 'stranger', { privatePem: string; publicKey: string }>;
const userBefore = process.env.CRAFT_SSH_USER;

beforeAll(async () => {
  if (sshdSkipReason) return;
  process.env.CRAFT_SSH_USER = 'root'; // this machine has no git account
  git = await startTestGitServer(dir);
  keys = { first: git.keyPair('first'), next: git.keyPair('next'), stranger: git.keyPair('stranger') };
  git.authorize([keys.first.publicKey, keys.next.publicKey]);
});
afterAll(() => {
  git?.stop();
  if (userBefore === undefined) delete process.env.CRAFT_SSH_USER;
  else process.env.CRAFT_SSH_USER = userBefore;
  rmSync(dir, { recursive: true, force: true });
});

describe.each(DIALECTS)('the deploy key the platform holds, on $label', ({ dialect, skip }) => {
  const off = skip || sshdSkipReason !== null;
  let p: TestPlatform;
  let owner: { access: string };
  let viewer: { access: string; id: string };
  const url = '/api/v1/projects/fraud';

  beforeAll(async () => {
    if (off) return;
    p = await createTestPlatform({ dialect });
    owner = await addUser(p, { email: 'owner@example.com' });
    viewer = await addUser(p, { email: 'viewer@example.com' });
    const created = await p.inject({ method: 'POST', url: '/api/v1/projects', headers: bearer(owner.access), payload: validProject({ name: 'fraud', repository_url: git!.repositoryUrl, deploy_key: keys.first.privatePem }) });
    expect(created.statusCode, created.body).toBe(201);
    await p.inject({ method: 'PUT', url: `${url}/members/${viewer.id}`, headers: bearer(owner.access), payload: { role: 'viewer' } });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(off)('Test access: an unknown host is named with its fingerprint; trusted, the held key reads the repository and gives its default branch', async () => {
    const unknown = await p.inject({ method: 'POST', url: `${url}/deploy-key/test`, headers: bearer(owner.access), payload: {} });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.json()).toMatchObject({ ok: false, step: 'unknown_host_key', host_fingerprint: git!.hostFingerprint });
    const ok = await p.inject({ method: 'POST', url: `${url}/deploy-key/test`, headers: bearer(owner.access), payload: { trusted_host_fingerprints: [git!.hostFingerprint] } });
    expect(ok.json()).toEqual({ ok: true, host: `[127.0.0.1]:${git!.port}`, host_fingerprint: git!.hostFingerprint, default_branch: 'main', branch_count: 3 });
  });

  it.skipIf(off)('a replacement key the repository refuses is not saved, and the answer says which step failed', async () => {
    const before = (await p.inject({ method: 'GET', url, headers: bearer(owner.access) })).json();
    const refused = await p.inject({ method: 'PUT', url: `${url}/deploy-key`, headers: bearer(owner.access), payload: { deploy_key: keys.stranger.privatePem, trusted_host_fingerprints: [git!.hostFingerprint] } });
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toMatchObject({ replaced: false, old_fingerprint: before.deploy_key_fingerprint, access: { ok: false, step: 'key_refused' } });
    const after = (await p.inject({ method: 'GET', url, headers: bearer(owner.access) })).json();
    expect(after.deploy_key_fingerprint).toBe(before.deploy_key_fingerprint);
    expect((await p.inject({ method: 'GET', url: `${url}/history`, headers: bearer(owner.access) })).json().items).toEqual([]);
  });

  it.skipIf(off)('a replacement key that reads the repository is saved, the old fingerprint returned to delete, the rotation in the history; Test access then uses it', async () => {
    const before = (await p.inject({ method: 'GET', url, headers: bearer(owner.access) })).json();
    const replaced = await p.inject({ method: 'PUT', url: `${url}/deploy-key`, headers: bearer(owner.access), payload: { deploy_key: keys.next.privatePem, trusted_host_fingerprints: [git!.hostFingerprint] } });
    const body = replaced.json();
    expect(body).toMatchObject({ replaced: true, old_fingerprint: before.deploy_key_fingerprint, access: { ok: true, default_branch: 'main' } });
    expect(body.project.deploy_key_fingerprint).not.toBe(before.deploy_key_fingerprint);
    expect(body.project.deploy_key_public).toBe(`${keys.next.publicKey.split(' ').slice(0, 2).join(' ')} craft-mlops-deploy-key`);
    const history = (await p.inject({ method: 'GET', url: `${url}/history`, headers: bearer(owner.access) })).json().items;
    expect(history[0].changes).toEqual([{ field: 'deploy_key', from: before.deploy_key_fingerprint, to: body.project.deploy_key_fingerprint }]);

    // The first key no longer opens the repository: the held key is the new one.
    git!.authorize([keys.next.publicKey]);
    const ok = await p.inject({ method: 'POST', url: `${url}/deploy-key/test`, headers: bearer(owner.access), payload: { trusted_host_fingerprints: [git!.hostFingerprint] } });
    expect(ok.json()).toMatchObject({ ok: true });
    git!.authorize([keys.first.publicKey, keys.next.publicKey]);
  });

  it.skipIf(off)('a viewer may neither test nor replace the key; bad fingerprints are refused with the rule', async () => {
    expect((await p.inject({ method: 'POST', url: `${url}/deploy-key/test`, headers: bearer(viewer.access), payload: {} })).statusCode).toBe(403);
    expect((await p.inject({ method: 'PUT', url: `${url}/deploy-key`, headers: bearer(viewer.access), payload: { deploy_key: keys.first.privatePem } })).statusCode).toBe(403);
    const bad = await p.inject({ method: 'POST', url: `${url}/deploy-key/test`, headers: bearer(owner.access), payload: { trusted_host_fingerprints: ['MD5:aa'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/^trusted_host_fingerprints\.0: must be a SHA256 host key fingerprint/);
  });
});
