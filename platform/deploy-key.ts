// Checks a pasted/generated deploy key with node:crypto and derives what may be shown.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { describeWrongKeyText, MIN_RSA_BITS } from '../domain/deploy-key.js';
import { DEPLOY_KEY_COMMENT, fromBase64, opensshPublicKeyLine, rsaPublicKeyBlob, sha256FingerprintText } from '../domain/ssh-public-key.js';

export interface CheckedDeployKey {
  /** The private key, normalised to PKCS#1 PEM. Encrypt it before storing; never return it. */
  privatePem: string;
  publicKey: string; // ssh-rsa AAAA… comment
  fingerprint: string; // SHA256:…
  bits: number;
}

function refuse(message: string): never {
  throw new AppError('validation', `deploy_key: ${message}`, 'deploy_key');
}

function base64urlToBytes(text: string): Uint8Array {
  return fromBase64(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
}

/** The public line and fingerprint of an RSA key, the way ssh-keygen prints them. */
export function describeRsaKey(key: KeyObject): { publicKey: string; fingerprint: string; bits: number } {
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const blob = rsaPublicKeyBlob(base64urlToBytes(jwk.n!), base64urlToBytes(jwk.e!));
  return {
    publicKey: opensshPublicKeyLine(blob, DEPLOY_KEY_COMMENT),
    fingerprint: sha256FingerprintText(createHash('sha256').update(blob).digest()),
    bits: key.asymmetricKeyDetails?.modulusLength ?? 0,
  };
}

export function checkDeployKey(text: string): CheckedDeployKey {
  const wrong = describeWrongKeyText(text);
  if (wrong) refuse(wrong);
  const t = text.trim();
  if (t.includes('BEGIN OPENSSH PRIVATE KEY'))
    refuse('this key is in the OpenSSH format: convert a copy to PEM with `ssh-keygen -p -m PEM -f <copy of the key>` and paste that, or generate a new key');
  if (t.includes('BEGIN ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(t))
    refuse('this key is protected by a passphrase: remove it from a copy with `ssh-keygen -p -m PEM -f <copy of the key>` (empty new passphrase) and paste that');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(t))
    refuse('is not a PEM RSA private key: paste a key starting with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: t, format: 'pem' });
  } catch {
    refuse('the key could not be read (corrupted or incomplete block): paste the whole file again, or generate a new key');
  }
  if (key.asymmetricKeyType !== 'rsa')
    refuse(`this is not an RSA key (${key.asymmetricKeyType ?? 'unknown type'}): the platform needs an RSA key of at least ${MIN_RSA_BITS} bits (ssh-keygen -m PEM -t rsa -b 4096)`);
  const described = describeRsaKey(key);
  if (described.bits < MIN_RSA_BITS)
    refuse(`this RSA key has ${described.bits} bits: the platform needs at least ${MIN_RSA_BITS} (ssh-keygen -m PEM -t rsa -b 4096)`);
  const privatePem = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { privatePem, ...described };
}
