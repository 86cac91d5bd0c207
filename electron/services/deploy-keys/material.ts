// Key material helpers: public key line, SHA256 fingerprint and PEM normalisation.
// Fingerprints are computed here with node:crypto's SHA-256 over the OpenSSH blob
// (node-forge's own fingerprint helper defaults to MD5).
import { createHash } from 'node:crypto';
import {
  DEPLOY_KEY_COMMENT,
  bitLength,
  opensshPublicKeyLine,
  rsaPublicKeyBlob,
  sha256FingerprintText,
} from '../../../domain/ssh-public-key.js';

export interface PublicKeyInfo {
  public_key: string;
  fingerprint: string;
  bits: number;
}

export function hexToBytes(hex: string): Uint8Array {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return new Uint8Array(Buffer.from(even, 'hex'));
}

export function base64UrlToBytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** The public line, fingerprint and size of an RSA key from its modulus and exponent. */
export function publicKeyInfo(modulus: Uint8Array, exponent: Uint8Array, comment = DEPLOY_KEY_COMMENT): PublicKeyInfo {
  const blob = rsaPublicKeyBlob(modulus, exponent);
  const digest = new Uint8Array(createHash('sha256').update(blob).digest());
  return {
    public_key: opensshPublicKeyLine(blob, comment),
    fingerprint: sha256FingerprintText(digest),
    bits: bitLength(modulus),
  };
}
