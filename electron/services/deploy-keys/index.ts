// Deploy keys: RSA generation in worker threads (OpenSSL's native prime search, one
// worker per core, primes pooled; the key assembled and PEM-encoded with node-forge),
// import of pasted keys, and the in-memory key handles the app passes around instead of
// private keys.
//
// Private keys live only in this process's memory: never on disk (except when the user
// exports the pair to files they chose), never in an error message or a log.
import { createPrivateKey, createPublicKey, randomUUID, sign, verify } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../../domain/errors.js';
import type { KeyJob } from '../../../domain/app-api-contract.js';
import { hexToBytes, publicKeyInfo, type PublicKeyInfo } from './material.js';
import { assembleRsaKey } from './assemble.js';
import { importPrivateKeyText } from './import.js';
import { WORKER_SOURCE } from './worker-source.js';
import { DEPLOY_KEY_EXAMPLE, writeChosenFiles } from '../chosen-files.js';

export { importPrivateKeyText, repairPem, formatPem } from './import.js';
export { publicKeyInfo } from './material.js';

export interface DeployKeyHandle extends PublicKeyInfo {
  key_id: string;
}

interface StoredKey extends DeployKeyHandle {
  pem: string;
}

interface Job {
  id: string;
  startedAt: number;
  endedAt: number | null;
  status: KeyJob['status'];
  workers: Worker[];
  primes: bigint[];
  key?: DeployKeyHandle;
  error?: AppError;
  done: Promise<void>;
  finish: () => void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Signs and verifies once with a fresh key: a wrong key never leaves this module. */
function selfTest(pem: string): boolean {
  try {
    const key = createPrivateKey(pem);
    const data = Buffer.from('craft-mlops deploy key self-test');
    return verify('sha256', data, createPublicKey(key), sign('sha256', data, key));
  } catch {
    return false;
  }
}

export class DeployKeys {
  readonly bits: number;
  readonly workerCount: number;
  private readonly jobs = new Map<string, Job>();
  private readonly keys = new Map<string, StoredKey>();

  constructor(options: { bits?: number; workers?: number } = {}) {
    this.bits = options.bits ?? 4096;
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    this.workerCount = Math.max(1, Math.floor(options.workers ?? cores));
  }

  /** Starts generating a key pair: one worker per core searches for primes, the first suitable pair makes the key. */
  start(): { job_id: string } {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const job: Job = { id: randomUUID(), startedAt: Date.now(), endedAt: null, status: 'running', workers: [], primes: [], done, finish };
    this.jobs.set(job.id, job);
    let failures = 0;
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bits: this.bits } });
      worker.unref();
      job.workers.push(worker);
      const fail = (message: string) => {
        failures++;
        if (failures === this.workerCount && job.status === 'running') this.end(job, 'failed', new AppError('internal', `Key generation failed: ${message}`));
      };
      worker.on('message', (message: { type: string; p?: string; message?: string }) => {
        if (message.type === 'prime' && job.status === 'running' && message.p) this.addPrime(job, BigInt(`0x${message.p}`));
        else if (message.type === 'error') fail(String(message.message ?? 'unknown error').slice(0, 200));
      });
      worker.on('error', (error) => fail(error.message.slice(0, 200)));
      worker.on('exit', (code) => {
        if (code !== 0 && job.status === 'running') fail(`worker stopped with code ${code}`);
      });
    }
    return { job_id: job.id };
  }

  /** Pools a prime found by any worker; the first suitable pair makes the key. */
  private addPrime(job: Job, prime: bigint): void {
    if (job.primes.includes(prime)) return;
    for (const other of job.primes) {
      const assembled = assembleRsaKey(prime, other, this.bits);
      if (!assembled) continue;
      if (!selfTest(assembled.pem)) continue;
      const info = publicKeyInfo(hexToBytes(assembled.n.toString(16)), hexToBytes(assembled.e.toString(16)));
      const key: StoredKey = { key_id: randomUUID(), ...info, pem: assembled.pem };
      this.keys.set(key.key_id, key);
      job.key = { key_id: key.key_id, public_key: key.public_key, fingerprint: key.fingerprint, bits: key.bits };
      this.end(job, 'done');
      return;
    }
    job.primes.push(prime);
  }

  private end(job: Job, status: Exclude<KeyJob['status'], 'running'>, error?: AppError): void {
    if (job.status !== 'running') return;
    job.status = status;
    job.endedAt = Date.now();
    job.primes = [];
    if (error) job.error = error;
    for (const worker of job.workers) void worker.terminate();
    job.workers = [];
    job.finish();
  }

  private job(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('not_found', 'No key generation with this id: start a new one');
    return job;
  }

  status(jobId: string): KeyJob {
    const job = this.job(jobId);
    const elapsed = (job.endedAt ?? Date.now()) - job.startedAt;
    let stage: string;
    switch (job.status) {
      case 'running': {
        const n = job.workers.length;
        stage = `searching for primes — ${n} worker${n === 1 ? '' : 's'}, ${job.primes.length} of 2 found, ${seconds(elapsed)}`;
        break;
      }
      case 'done':
        stage = `RSA ${job.key?.bits ?? this.bits} key ready in ${seconds(elapsed)}`;
        break;
      case 'cancelled':
        stage = `cancelled after ${seconds(elapsed)}`;
        break;
      default:
        stage = `failed after ${seconds(elapsed)}`;
    }
    const result: KeyJob = { job_id: job.id, status: job.status, elapsed_ms: elapsed, stage };
    if (job.key) result.key = { ...job.key };
    if (job.error) result.error = job.error.toJSON();
    return result;
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job || job.status !== 'running') return false;
    this.end(job, 'cancelled');
    return true;
  }

  async wait(jobId: string): Promise<KeyJob> {
    await this.job(jobId).done;
    return this.status(jobId);
  }

  /** Imports a pasted private key; see import.ts for the rules. */
  importPrivateKey(text: string, passphrase?: string): DeployKeyHandle {
    const imported = importPrivateKeyText(text, passphrase);
    const key: StoredKey = { key_id: randomUUID(), public_key: imported.public_key, fingerprint: imported.fingerprint, bits: imported.bits, pem: imported.pem };
    this.keys.set(key.key_id, key);
    return { key_id: key.key_id, public_key: key.public_key, fingerprint: key.fingerprint, bits: key.bits };
  }

  private stored(keyId: string): StoredKey {
    const key = this.keys.get(keyId);
    if (!key) throw new AppError('not_found', 'This deploy key is no longer available: generate or paste it again', 'deploy_key_id');
    return key;
  }

  /** PKCS#1 PEM, for sending to the platform (or the repository access test) only. */
  privateKeyPem(keyId: string): string {
    return this.stored(keyId).pem;
  }

  /**
   * Writes the pair to files the user chose (chosen-files.ts: absolute paths only; an existing
   * file replaced only with `overwrite`, both paths checked before either is written): the
   * private key with mode 0600 (a temporary file created 0600, then moved into place, so it is
   * never readable by others), the public key (`<private>.pub` unless given) with mode 0644, as
   * ssh-keygen leaves it. `field` names the input in errors (`path`, or `out` for craft).
   */
  exportPair(
    keyId: string,
    privatePath: string,
    publicPath = `${privatePath}.pub`,
    options: { overwrite?: boolean; field?: string } = {},
  ): { private_path: string; public_path: string } {
    const key = this.stored(keyId);
    writeChosenFiles(
      [
        { path: privatePath, content: key.pem, mode: 0o600 },
        { path: publicPath, content: `${key.public_key}\n`, mode: 0o644 },
      ],
      { overwrite: options.overwrite ?? false, field: options.field ?? 'path', example: DEPLOY_KEY_EXAMPLE },
    );
    return { private_path: privatePath, public_path: publicPath };
  }

  forget(keyId: string): void {
    this.keys.delete(keyId);
  }

  async dispose(): Promise<void> {
    const workers: Worker[] = [];
    for (const job of this.jobs.values()) {
      workers.push(...job.workers);
      this.end(job, 'cancelled');
    }
    await Promise.all(workers.map((w) => w.terminate()));
    this.keys.clear();
  }
}
