// The code a key-generation worker thread runs. It is kept as a string (run with
// `eval: true`) so it works the same under tsx, Vitest and a bundled Electron main,
// none of which can hand a .ts file to a worker thread.
//
// Each worker searches for primes of half the key size with Node's native OpenSSL prime
// generator (BN_generate_prime_ex2: random start with the top two bits set, trial
// division, 64 Miller-Rabin rounds — the search RSA key generation itself runs) and posts
// every prime it finds. The main thread pools the primes of all workers and assembles the
// key from the first suitable pair: with one worker per core the key is ready when the
// cores together found two primes, and stopping a worker wastes at most one prime search.
// The thread lowers its own scheduling priority on Linux, so racing one worker per core
// never starves the UI thread.
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
if (process.platform === 'linux') {
  try {
    const os = require('node:os');
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) os.setPriority(tid, Math.max(os.getPriority(tid), 10));
  } catch (e) { /* best effort */ }
}
const half = workerData.bits / 2;
const e = 65537n;
try {
  for (;;) {
    const p = crypto.generatePrimeSync(half, { bigint: true });
    // e must be invertible modulo p - 1; e is prime, so p - 1 must not be a multiple of it.
    if ((p - 1n) % e === 0n) continue;
    parentPort.postMessage({ type: 'prime', p: p.toString(16) });
  }
} catch (error) {
  parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
}
`;
