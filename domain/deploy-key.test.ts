import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyNeedsPassphrase } from './deploy-key.js';

describe('privateKeyNeedsPassphrase (the passphrase field appears as a protected key is pasted)', () => {
  const key = (args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'craft-pass-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-C', 't', '-f', join(dir, 'k'), ...args]);
      return readFileSync(join(dir, 'k'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('knows protected keys in the OpenSSH format and in legacy PEM, as ssh-keygen writes them', () => {
    expect(privateKeyNeedsPassphrase(key(['-N', 'secret']))).toBe(true);
    expect(privateKeyNeedsPassphrase(key(['-m', 'PEM', '-N', 'secret']))).toBe(true);
    expect(privateKeyNeedsPassphrase('-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----')).toBe(true);
  });

  it('asks nothing for keys without a passphrase, or for text that is no key', () => {
    expect(privateKeyNeedsPassphrase(key(['-N', '']))).toBe(false);
    expect(privateKeyNeedsPassphrase(key(['-m', 'PEM', '-N', '']))).toBe(false);
    expect(privateKeyNeedsPassphrase('-----BEGIN OPENSSH PRIVATE KEY-----\n!!!')).toBe(false);
    expect(privateKeyNeedsPassphrase('hello')).toBe(false);
  });
});
