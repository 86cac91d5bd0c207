// The OpenSSH public-key wire format and fingerprint text, shared by the desktop
// (node-forge) and the platform (node:crypto). Pure: the caller brings the SHA-256.

function uint32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function sshString(bytes: Uint8Array): Uint8Array {
  return concat([uint32(bytes.length), bytes]);
}

/** An SSH mpint from big-endian unsigned bytes: leading zeros stripped, 0x00 prepended when the top bit is set. */
function sshMpint(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const trimmed = unsigned.subarray(start);
  return sshString(trimmed[0]! & 0x80 ? concat([new Uint8Array([0]), trimmed]) : trimmed);
}

/** The "ssh-rsa" key blob (RFC 4253 §6.6) from the modulus and exponent as unsigned big-endian bytes. */
export function rsaPublicKeyBlob(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  return concat([sshString(new TextEncoder().encode('ssh-rsa')), sshMpint(exponent), sshMpint(modulus)]);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** "ssh-rsa AAAA… comment", the line an authorized_keys file or a deploy-key form takes. */
export function opensshPublicKeyLine(blob: Uint8Array, comment = ''): string {
  return `ssh-rsa ${toBase64(blob)}${comment ? ` ${comment}` : ''}`;
}

/** "SHA256:…" as ssh-keygen -lf prints it: base64 of the blob's SHA-256, without padding. */
export function sha256FingerprintText(blobSha256: Uint8Array): string {
  return `SHA256:${toBase64(blobSha256).replace(/=+$/, '')}`;
}

/** The whole line ssh-keygen -lf prints for an RSA key. */
export function fingerprintLine(bits: number, fingerprint: string, comment = 'no comment'): string {
  return `${bits} ${fingerprint} ${comment} (RSA)`;
}

/** The bit length of an unsigned big-endian integer. */
export function bitLength(unsigned: Uint8Array): number {
  let start = 0;
  while (start < unsigned.length && unsigned[start] === 0) start++;
  if (start === unsigned.length) return 0;
  return (unsigned.length - start - 1) * 8 + (32 - Math.clz32(unsigned[start]!));
}

export const DEPLOY_KEY_COMMENT = 'craft-mlops-deploy-key';
