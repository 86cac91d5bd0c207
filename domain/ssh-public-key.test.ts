import { describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitLength, fromBase64, opensshPublicKeyLine, rsaPublicKeyBlob, sha256FingerprintText } from './ssh-public-key.js';

describe('OpenSSH public key format', () => {
  it('matches what ssh-keygen derives and fingerprints for the same key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const modulus = new Uint8Array(Buffer.from(jwk.n!, 'base64url'));
    const blob = rsaPublicKeyBlob(modulus, new Uint8Array(Buffer.from(jwk.e!, 'base64url')));
    const dir = mkdtempSync(join(tmpdir(), 'sshpub-'));
    const file = join(dir, 'key');
    writeFileSync(file, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });

    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    expect(opensshPublicKeyLine(blob)).toBe(derived.split(' ').slice(0, 2).join(' '));

    const listed = execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' });
    const fingerprint = sha256FingerprintText(new Uint8Array(createHash('sha256').update(blob).digest()));
    expect(listed).toContain(`2048 ${fingerprint} `);
    expect(bitLength(modulus)).toBe(2048);
    expect(fromBase64(derived.split(' ')[1]!)).toEqual(blob);
  });
});
