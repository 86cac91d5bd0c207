// Import rules for a pasted (or file-loaded) private key. Whatever the user brings —
// PEM PKCS#1, PKCS#8 (plain or encrypted), legacy encrypted PEM, OpenSSH format — the
// result is one normalised PKCS#1 PEM ("-----BEGIN RSA PRIVATE KEY-----", 64-column
// base64, final newline), the form OpenSSH and every git client accept.
// Every refusal says what to do; no message ever contains key material.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';
import { AppError } from '../../../domain/errors.js';
import { MIN_RSA_BITS, NOT_A_PRIVATE_KEY, describeWrongKeyText } from '../../../domain/deploy-key.js';
import { base64UrlToBytes, publicKeyInfo, type PublicKeyInfo } from './material.js';

export interface ImportedKey extends PublicKeyInfo {
  /** PKCS#1 PEM, decrypted. */
  pem: string;
}

const FIELD = 'deploy_key';
const PASSPHRASE_NEEDED = 'this key is protected by a passphrase: enter it to import the key (it is sent decrypted to the platform only, which stores it encrypted)';
const PASSPHRASE_WRONG = 'the passphrase does not open this key: check it and try again';
const CORRUPTED =
  'the key is truncated or corrupted: copy the whole file again, from the -----BEGIN line to the -----END line included';

function refuse(message: string, field = FIELD): never {
  throw new AppError('validation', message, field);
}

interface PemBlock {
  label: string;
  headers: string[];
  base64: string;
}

/**
 * Repairs what copying and pasting does to a PEM block: CRLF, tabs and stray spaces,
 * missing final newline, or the whole key flattened onto one line (spaces instead of
 * newlines). Returns the label, the RFC 1421 headers (legacy encryption) and the body.
 */
export function repairPem(text: string): PemBlock {
  const cleaned = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').replace(/\\n/g, '\n');
  const match = /-----\s*BEGIN ([A-Z0-9 ]+?)\s*-----([\s\S]*?)-----\s*END ([A-Z0-9 ]+?)\s*-----/.exec(cleaned);
  if (!match) {
    if (/-----\s*BEGIN [A-Z0-9 ]*PRIVATE KEY\s*-----/.test(cleaned)) refuse('the key is truncated: the -----END … PRIVATE KEY----- line is missing; copy the whole file again');
    refuse(NOT_A_PRIVATE_KEY);
  }
  const label = match[1]!.replace(/\s+/g, ' ').trim();
  if (match[3]!.replace(/\s+/g, ' ').trim() !== label) refuse(CORRUPTED);
  let body = match[2]!;
  const headers: string[] = [];
  const procType = /Proc-Type:\s*(\S+)/.exec(body);
  const dekInfo = /DEK-Info:\s*(\S+)/.exec(body);
  if (procType) {
    headers.push(`Proc-Type: ${procType[1]}`);
    body = body.replace(procType[0], ' ');
  }
  if (dekInfo) {
    headers.push(`DEK-Info: ${dekInfo[1]}`);
    body = body.replace(dekInfo[0], ' ');
  }
  const base64 = body.replace(/\s+/g, '');
  if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) refuse(CORRUPTED);
  return { label, headers, base64 };
}

export function formatPem(block: PemBlock): string {
  const lines = block.base64.match(/.{1,64}/g) ?? [];
  const head = block.headers.length ? `${block.headers.join('\n')}\n\n` : '';
  return `-----BEGIN ${block.label}-----\n${head}${lines.join('\n')}\n-----END ${block.label}-----\n`;
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function openPem(pem: string, encrypted: boolean, passphrase: string | undefined): KeyObject {
  if (encrypted && !passphrase) refuse(PASSPHRASE_NEEDED, 'passphrase');
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch (error) {
    const code = errorCode(error);
    const text = errorText(error);
    if (code === 'ERR_MISSING_PASSPHRASE' || /passphrase required/i.test(text)) refuse(PASSPHRASE_NEEDED, 'passphrase');
    if (encrypted && /bad decrypt|decrypt|unsupported|bad password/i.test(text)) refuse(PASSPHRASE_WRONG, 'passphrase');
    refuse(CORRUPTED);
  }
}

function openOpenSsh(pem: string, passphrase: string | undefined): KeyObject {
  let parsed = ssh2.utils.parseKey(pem, passphrase);
  if (Array.isArray(parsed)) parsed = parsed[0] as ssh2.ParsedKey;
  if (parsed instanceof Error) {
    const text = parsed.message;
    if (/no passphrase given/i.test(text)) refuse(PASSPHRASE_NEEDED, 'passphrase');
    if (passphrase && /passphrase|decrypt|malformed/i.test(text)) refuse(PASSPHRASE_WRONG, 'passphrase');
    refuse(CORRUPTED);
  }
  if (parsed.type !== 'ssh-rsa')
    refuse(`this is not an RSA key (${parsed.type}): the platform needs an RSA key of at least ${MIN_RSA_BITS} bits — create one with ssh-keygen -m PEM -t rsa -b 4096, or generate one here`);
  try {
    return createPrivateKey({ key: parsed.getPrivatePEM(), format: 'pem' });
  } catch {
    refuse(CORRUPTED);
  }
}

function isConsistent(key: KeyObject): boolean {
  try {
    const data = Buffer.from('craft-mlops deploy key check');
    const signature = sign('sha256', data, key);
    return verify('sha256', data, createPublicKey(key), signature);
  } catch {
    return false;
  }
}

/**
 * Checks and normalises a private key. Throws AppError('validation', …, 'deploy_key')
 * with what to do, or (…, 'passphrase') when a passphrase is needed or wrong.
 */
export function importPrivateKeyText(text: string, passphrase?: string): ImportedKey {
  if (typeof text !== 'string' || !text.trim()) refuse('is required: generate a deploy key or paste a private key');
  if (text.length > 64 * 1024) refuse('is too long to be an RSA private key');
  const wrong = describeWrongKeyText(text.replace(/\r\n?/g, '\n'));
  if (wrong) refuse(wrong);
  const block = repairPem(text);
  const pem = formatPem(block);
  let key: KeyObject;
  switch (block.label) {
    case 'RSA PRIVATE KEY':
      key = openPem(pem, block.headers.some((h) => /ENCRYPTED/.test(h)), passphrase);
      break;
    case 'PRIVATE KEY':
      key = openPem(pem, false, undefined);
      break;
    case 'ENCRYPTED PRIVATE KEY':
      key = openPem(pem, true, passphrase);
      break;
    case 'OPENSSH PRIVATE KEY':
      key = openOpenSsh(pem, passphrase);
      break;
    case 'EC PRIVATE KEY':
    case 'DSA PRIVATE KEY':
      refuse(`this is not an RSA key: the platform needs an RSA key of at least ${MIN_RSA_BITS} bits (ssh-keygen -m PEM -t rsa -b 4096)`);
      break;
    default:
      refuse(`a "${block.label.slice(0, 40)}" block is not a supported private key: paste a PEM RSA private key (-----BEGIN RSA PRIVATE KEY-----) or an OpenSSH one`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    refuse(`this is not an RSA key (${key.asymmetricKeyType ?? 'unknown type'}): the platform needs an RSA key of at least ${MIN_RSA_BITS} bits — create one with ssh-keygen -m PEM -t rsa -b 4096, or generate one here`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    refuse(`this RSA key has ${bits} bits: the platform needs at least ${MIN_RSA_BITS} (4096 recommended) — generate a new key here or with ssh-keygen -m PEM -t rsa -b 4096`);
  // A damaged block can still parse into numbers that are not a key pair: prove it signs.
  if (!isConsistent(key)) refuse(CORRUPTED);
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.n || !jwk.e) refuse(CORRUPTED);
  const info = publicKeyInfo(base64UrlToBytes(jwk.n), base64UrlToBytes(jwk.e));
  const normalised = key.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { ...info, pem: normalised.endsWith('\n') ? normalised : `${normalised}\n` };
}
