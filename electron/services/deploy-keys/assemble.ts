// Builds an RSA private key from two primes (e = 65537) with node-forge, as PKCS#1 PEM —
// the same structure `ssh-keygen -m PEM -t rsa` writes. The arithmetic uses native BigInt;
// node-forge builds the key object and its PEM encoding.
import forge from 'node-forge';

const E = 65537n;

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

const big = (x: bigint) => new forge.jsbn.BigInteger(x.toString(16), 16);

/**
 * The key of modulus p·q, or null when the pair does not make a good `bits`-bit key:
 * the modulus must have exactly `bits` bits, the primes must differ by more than
 * 2^(bits/2 − 100) (FIPS 186-4 B.3.1), e must be invertible and d larger than 2^(bits/2).
 */
export function assembleRsaKey(a: bigint, b: bigint, bits: number): { pem: string; n: bigint; e: bigint } | null {
  const [p, q] = a > b ? [a, b] : [b, a];
  const n = p * q;
  if (bitLength(n) !== bits) return null;
  if (p - q <= 1n << BigInt(bits / 2 - 100)) return null;
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  const d = modInverse(E, lambda);
  if (d === null || d <= 1n << BigInt(bits / 2)) return null;
  const qInv = modInverse(q, p);
  if (qInv === null) return null;
  const key = forge.pki.setRsaPrivateKey(big(n), big(E), big(d), big(p), big(q), big(d % (p - 1n)), big(d % (q - 1n)), big(qInv));
  const pem = forge.pki.privateKeyToPem(key).replace(/\r\n/g, '\n');
  return { pem, n, e: E };
}
