import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployKeys } from './index.js';
import { assembleRsaKey } from './assemble.js';
import { generatePrimeSync } from 'node:crypto';
import { AppError } from '../../../domain/errors.js';
import type { KeyJob } from '../../../domain/app-api-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'craft-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sshKeygen(args: string[]): string {
  return execFileSync('ssh-keygen', args, { encoding: 'utf8' });
}

/** Runs `work` while sampling the event loop every 5 ms; returns the longest delay seen and how long the work took. */
async function measureStall<T>(work: () => Promise<T>): Promise<{ job: T; stall: number; duration: number }> {
  let stall = 0;
  const start = performance.now();
  let last = start;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last - 5);
    last = now;
  }, 5);
  try {
    const job = await work();
    return { job, stall, duration: performance.now() - start };
  } finally {
    clearInterval(timer);
  }
}

describe('DeployKeys generation', () => {
  it('generates an RSA 4096 key off the main thread that ssh-keygen accepts, with the same public key and fingerprint', async () => {
    const keys = new DeployKeys();
    let running: KeyJob | undefined;
    const { job, stall, duration } = await measureStall(() => {
      const { job_id } = keys.start();
      running = keys.status(job_id);
      return keys.wait(job_id);
    });
    expect(running?.status).toBe('running');
    expect(running?.stage).toMatch(/searching for primes — \d+ workers?, [0-2] of 2 found, \d+\.\d s/);
    expect(job.status).toBe('done');
    expect(job.key?.bits).toBe(4096);
    expect(job.stage).toMatch(/RSA 4096 key ready/);
    // Off the main thread: the event loop kept turning while the key was made. A generation on the
    // main thread would hold it for the whole generation. (How short the stalls are is a speed goal,
    // measured in bench/keygen.ts, not here.)
    console.log(`longest event-loop stall during generation: ${stall.toFixed(1)} ms of ${duration.toFixed(0)} ms`);
    expect(stall).toBeLessThan(duration / 2);

    const pem = keys.privateKeyPem(job.key!.key_id);
    expect(pem.startsWith('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
    expect(pem.endsWith('-----END RSA PRIVATE KEY-----\n')).toBe(true);
    const file = join(dir, 'generated');
    writeFileSync(file, pem, { mode: 0o600 });
    const derived = sshKeygen(['-y', '-f', file]).trim();
    expect(job.key!.public_key.startsWith('ssh-rsa AAAA')).toBe(true);
    expect(job.key!.public_key.endsWith(' craft-mlops-deploy-key')).toBe(true);
    expect(derived.split(' ').slice(0, 2).join(' ')).toBe(job.key!.public_key.split(' ').slice(0, 2).join(' '));
    const line = sshKeygen(['-lf', file, '-E', 'sha256']).trim();
    expect(line.split(' ')[0]).toBe('4096');
    expect(line.split(' ')[1]).toBe(job.key!.fingerprint);
    // And from the public line we show (what the user pastes into GitHub).
    writeFileSync(`${file}.pub`, `${job.key!.public_key}\n`);
    expect(sshKeygen(['-lf', `${file}.pub`]).split(' ')[1]).toBe(job.key!.fingerprint);

    // Export the pair: private 0600, public beside it.
    const out = keys.exportPair(job.key!.key_id, join(dir, 'exported'));
    expect(statSync(out.private_path).mode & 0o777).toBe(0o600);
    expect(readFileSync(out.private_path, 'utf8')).toBe(pem);
    expect(readFileSync(out.public_path, 'utf8').trim()).toBe(job.key!.public_key);

    keys.forget(job.key!.key_id);
    expect(() => keys.privateKeyPem(job.key!.key_id)).toThrow(AppError);
    await keys.dispose();
  });

  it('can be cancelled, and a cancelled job yields no key', async () => {
    const keys = new DeployKeys({ bits: 2048, workers: 1 });
    const { job_id } = keys.start();
    expect(keys.cancel(job_id)).toBe(true);
    const job = await keys.wait(job_id);
    expect(job.status).toBe('cancelled');
    expect(job.key).toBeUndefined();
    expect(job.stage).toMatch(/cancelled/);
    expect(keys.cancel(job_id)).toBe(false);
    await keys.dispose();
  });

  it('assembles keys only from suitable prime pairs', () => {
    const p = generatePrimeSync(1024, { bigint: true });
    const q = generatePrimeSync(1024, { bigint: true });
    const key = assembleRsaKey(p, q, 2048);
    expect(key?.pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(key?.n).toBe(p * q);
    // Primes too close to each other (FIPS 186-4), or a modulus of the wrong size, are refused.
    expect(assembleRsaKey(p, p + 2n, 2048)).toBeNull();
    expect(assembleRsaKey(p, q, 4096)).toBeNull();
    const file = join(dir, 'assembled');
    writeFileSync(file, key!.pem, { mode: 0o600 });
    expect(sshKeygen(['-lf', file]).split(' ')[0]).toBe('2048');
  });

  it('pools the primes of several workers into one key; unknown ids are not_found', async () => {
    const keys = new DeployKeys({ bits: 2048, workers: 2 });
    const job = await keys.wait(keys.start().job_id);
    expect(job.status).toBe('done');
    expect(job.key?.bits).toBe(2048);
    expect(() => keys.status('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => keys.privateKeyPem('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    await keys.dispose();
  });
});
