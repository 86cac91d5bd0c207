import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployKeys } from './index.js';
import { importPrivateKeyText } from './import.js';
import { AppError } from '../../../domain/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'craft-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PASS = 'correct horse battery';

function keygen(name: string, args: string[]): { text: string; fingerprint: string; publicBody: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-C', 'test', '-f', file, ...args]);
  const text = readFileSync(file, 'utf8');
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  const publicBody = readFileSync(`${file}.pub`, 'utf8').split(' ')[1]!;
  return { text, fingerprint, publicBody };
}

/** What ssh-keygen derives from the normalised key we would store. */
function checkWithSshKeygen(pem: string): { fingerprint: string; publicBody: string } {
  const file = join(dir, `check-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, pem, { mode: 0o600 });
  const publicBody = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim().split(' ')[1]!;
  const fingerprint = execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1]!;
  return { fingerprint, publicBody };
}

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

let keys: Record<string, ReturnType<typeof keygen>>;

beforeAll(() => {
  keys = {
    pkcs1: keygen('pkcs1', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '']),
    pkcs8: keygen('pkcs8', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', '']),
    openssh: keygen('openssh', ['-t', 'rsa', '-b', '3072', '-N', '']),
    opensshPass: keygen('openssh-pass', ['-t', 'rsa', '-b', '2048', '-N', PASS]),
    pemPass: keygen('pem-pass', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PASS]),
    pkcs8Pass: keygen('pkcs8-pass', ['-t', 'rsa', '-b', '2048', '-m', 'PKCS8', '-N', PASS]),
    ed25519: keygen('ed25519', ['-t', 'ed25519', '-N', '']),
    ecdsaPem: keygen('ecdsa', ['-t', 'ecdsa', '-m', 'PEM', '-N', '']),
    small: keygen('small', ['-t', 'rsa', '-b', '1024', '-m', 'PEM', '-N', '']),
  };
});

describe('importing a private key', () => {
  it.each([
    ['PEM PKCS#1', 'pkcs1', undefined],
    ['PEM PKCS#8', 'pkcs8', undefined],
    ['OpenSSH format', 'openssh', undefined],
    ['OpenSSH format with a passphrase', 'opensshPass', PASS],
    ['legacy encrypted PEM', 'pemPass', PASS],
    ['encrypted PKCS#8', 'pkcs8Pass', PASS],
  ])('accepts %s and stores a normalised PKCS#1 PEM that ssh-keygen reads', (_label, name, passphrase) => {
    const source = keys[name]!;
    const imported = importPrivateKeyText(source.text, passphrase);
    expect(imported.pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END RSA PRIVATE KEY-----\n$/);
    expect(imported.fingerprint).toBe(source.fingerprint);
    expect(imported.public_key.split(' ')[1]).toBe(source.publicBody);
    const check = checkWithSshKeygen(imported.pem);
    expect(check.fingerprint).toBe(source.fingerprint);
    expect(check.publicBody).toBe(source.publicBody);
  });

  it('asks for the passphrase of a protected key, and says when it is wrong', () => {
    for (const name of ['opensshPass', 'pemPass', 'pkcs8Pass']) {
      const missing = refusal(() => importPrivateKeyText(keys[name]!.text));
      expect(missing.code).toBe('validation');
      expect(missing.field).toBe('passphrase');
      expect(missing.message).toMatch(/^this key is protected by a passphrase: enter it/);
      const wrong = refusal(() => importPrivateKeyText(keys[name]!.text, 'not it'));
      expect(wrong.field).toBe('passphrase');
      expect(wrong.message).toMatch(/passphrase does not open this key/);
    }
  });

  it('repairs CRLF, stray spaces, a missing final newline and a key flattened onto one line', () => {
    const { text, fingerprint } = keys.pkcs1!;
    const crlf = text.replace(/\n/g, '\r\n');
    const spaces = text
      .split('\n')
      .map((line) => `  ${line}\t `)
      .join('\n');
    const noNewline = text.trimEnd();
    const flat = text.trim().split('\n').join(' ');
    const openSshFlat = keys.openssh!.text.trim().split('\n').join(' ');
    for (const variant of [crlf, spaces, noNewline, flat, `\n\n${flat}\n\n`]) {
      const imported = importPrivateKeyText(variant);
      expect(imported.fingerprint).toBe(fingerprint);
      expect(checkWithSshKeygen(imported.pem).fingerprint).toBe(fingerprint);
    }
    expect(importPrivateKeyText(openSshFlat).fingerprint).toBe(keys.openssh!.fingerprint);
    // A legacy encrypted PEM flattened onto one line keeps its headers.
    const pemPassFlat = keys.pemPass!.text.trim().split('\n').join(' ');
    expect(importPrivateKeyText(pemPassFlat, PASS).fingerprint).toBe(keys.pemPass!.fingerprint);
  });

  it('refuses with a message that says what to do', () => {
    const pub = readFileSync(join(dir, 'pkcs1.pub'), 'utf8');
    const cases: [string, RegExp][] = [
      [pub, /this is a public key: paste the private key/],
      ['PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n', /PuTTYgen.*Export OpenSSH key/],
      [keys.ed25519!.text, /not an RSA key \(ssh-ed25519\).*ssh-keygen -m PEM -t rsa -b 4096/],
      [keys.ecdsaPem!.text, /not an RSA key/],
      [keys.small!.text, /1024 bits: the platform needs at least 2048/],
      [keys.pkcs1!.text.slice(0, 600), /truncated/],
      [keys.pkcs1!.text.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n'), /truncated or corrupted/],
      [keys.pkcs1!.text.replace(/[A-Z]/g, (c, i: number) => (i > 200 && i < 220 ? 'x' : c)), /truncated or corrupted/],
      ['hello', /is not a private key/],
      ['', /is required/],
    ];
    for (const [text, message] of cases) {
      const error = refusal(() => importPrivateKeyText(text));
      expect(error.code).toBe('validation');
      expect(error.field).toBe('deploy_key');
      expect(error.message).toMatch(message);
      expect(error.message).not.toMatch(/libcrypto|error:[0-9A-F]{8}/);
      // No key material ever in a message.
      expect(error.message).not.toMatch(/[A-Za-z0-9+/]{40}/);
    }
  });

  it('DeployKeys.importPrivateKey keeps a handle whose PEM is the normalised key', async () => {
    const dk = new DeployKeys({ bits: 2048 });
    const handle = dk.importPrivateKey(keys.pkcs8!.text);
    expect(handle.fingerprint).toBe(keys.pkcs8!.fingerprint);
    expect(handle.bits).toBe(2048);
    expect(dk.privateKeyPem(handle.key_id)).toContain('-----BEGIN RSA PRIVATE KEY-----');
    expect(() => dk.importPrivateKey('ssh-rsa AAAA')).toThrow(expect.objectContaining({ code: 'validation', field: 'deploy_key' }));
    await dk.dispose();
  });
});
