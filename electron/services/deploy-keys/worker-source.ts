// The code a key-generation worker thread runs. It is kept as a string (run with
// `eval: true`) so it works the same under tsx, Vitest and a bundled Electron main,
// none of which can hand a .ts file to a worker thread.
//
// node-forge hands RSA generation to Node's native crypto (OpenSSL's prime search) when
// it can; the worker thread keeps that CPU-bound search off the main event loop.
// The thread lowers its own scheduling priority on Linux, so racing one worker per core
// never starves the UI thread.
// The private key travels to the main thread by postMessage (in-process memory only).
export const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
let forge;
try { forge = require(workerData.forgePath); } catch (e) { forge = require('node-forge'); }
// Linux: lower this thread's priority (nice 10), so the UI thread always wins a core
// back at once even when every core races for primes.
if (process.platform === 'linux') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) require('node:os').setPriority(tid, Math.max(require('node:os').getPriority(tid), 10));
  } catch (e) { /* best effort */ }
}
parentPort.postMessage({ type: 'stage', stage: 'searching for primes' });
try {
  const pair = forge.pki.rsa.generateKeyPair({ bits: workerData.bits, e: 0x10001 });
  const pem = forge.pki.privateKeyToPem(pair.privateKey).replace(/\r\n/g, '\n');
  parentPort.postMessage({
    type: 'key',
    pem,
    n: pair.privateKey.n.toString(16),
    e: pair.privateKey.e.toString(16),
  });
} catch (error) {
  parentPort.postMessage({ type: 'error', message: String(error && error.message || error) });
}
`;
