// Text-level rules for a pasted private key. Cryptographic checks (parsing, size,
// fingerprint) happen where crypto lives: electron/services/deploy-keys and the platform.
import { z } from 'zod';

export const deployKeyText = z
  .string({ error: 'is required: generate a deploy key or paste a private key' })
  .min(1, 'is required: generate a deploy key or paste a private key')
  .max(32 * 1024, 'is too long to be an RSA private key');

/** Public information about a deploy key: safe to show, cache and log. */
export const deployKeyPublicSchema = z.object({
  public_key: z.string(), // "ssh-rsa AAAA… comment"
  fingerprint: z.string(), // "SHA256:…", as ssh-keygen -lf prints it
  bits: z.number().int(),
});
export type DeployKeyPublic = z.infer<typeof deployKeyPublicSchema>;

export const MIN_RSA_BITS = 2048;

export const NOT_A_PRIVATE_KEY = 'is not a private key: paste a PEM RSA private key starting with -----BEGIN RSA PRIVATE KEY-----';

/**
 * Whether a pasted private key is protected by a passphrase, read from its text: a legacy encrypted
 * PEM (Proc-Type: 4,ENCRYPTED), PKCS#8 ENCRYPTED PRIVATE KEY, or an OpenSSH key whose cipher is not
 * "none" (its header names the cipher in clear, base64 inside the block).
 */
export function privateKeyNeedsPassphrase(text: string): boolean {
  if (/Proc-Type:\s*4,ENCRYPTED|BEGIN ENCRYPTED PRIVATE KEY/.test(text)) return true;
  const openssh = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)(-----END|$)/.exec(text);
  if (!openssh) return false;
  try {
    const head = atob(openssh[1]!.replace(/[^A-Za-z0-9+/=]/g, '').slice(0, 64));
    return head.startsWith('openssh-key-v1') && head.slice(19, 23) !== 'none';
  } catch {
    return false;
  }
}

/** A clear reason when a pasted text is not a PEM RSA private key, or null when it looks like one. */
export function describeWrongKeyText(text: string): string | null {
  const t = text.trim();
  if (/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-|ssh-dss|sk-)/.test(t) || t.includes('BEGIN PUBLIC KEY') || t.includes('BEGIN RSA PUBLIC KEY') || t.includes('BEGIN SSH2 PUBLIC KEY'))
    return 'this is a public key: paste the private key (the file without .pub), or generate a new key';
  if (t.startsWith('PuTTY-User-Key-File'))
    return 'this is a PuTTY .ppk key: in PuTTYgen, load it and use Conversions → Export OpenSSH key, then paste that';
  if (t.includes('BEGIN EC PRIVATE KEY') || t.includes('BEGIN DSA PRIVATE KEY'))
    return 'this is not an RSA key: the platform needs an RSA key of at least 2048 bits (ssh-keygen -m PEM -t rsa -b 4096)';
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(t))
    return NOT_A_PRIVATE_KEY;
  if (!/-----END [A-Z ]*PRIVATE KEY-----/.test(t))
    return 'the key is truncated: the -----END … PRIVATE KEY----- line is missing';
  return null;
}

// ——— testing a key against its repository (the desktop before saving; the platform for the key it holds) ———

/** What "Test access" answers: the default branch and branch count, or the step that failed. */
export const repoAccessResultSchema = z.union([
  z.object({ ok: z.literal(true), host: z.string(), host_fingerprint: z.string(), default_branch: z.string().nullable(), branch_count: z.number() }),
  z.object({
    ok: z.literal(false),
    step: z.enum(['address', 'unreachable', 'unknown_host_key', 'changed_host_key', 'key_refused', 'repository_not_found', 'protocol']),
    message: z.string(),
    host: z.string(),
    host_fingerprint: z.string().optional(),
    deploy_key_url: z.string().nullable().optional(),
  }),
]);
export type RepoAccessResult = z.infer<typeof repoAccessResultSchema>;

const hostFingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be a SHA256 host key fingerprint (SHA256: and 43 base64 characters)');

/**
 * The host keys the caller trusts for the repository's host (github.com and gitlab.com are built in):
 * the platform keeps no list of its own, the desktop passes the ones its user confirmed.
 */
export const trustedHostKeysSchema = z.array(hostFingerprint).max(10, 'must list at most 10 fingerprints').default([]);

export const deployKeyTestSchema = z.object({ trusted_host_fingerprints: trustedHostKeysSchema }).strict();

/** Replace the deploy key: the new key is tested against the repository, and saved only when it reads it. */
export const deployKeyReplaceSchema = z
  .object({
    deploy_key: deployKeyText,
    trusted_host_fingerprints: trustedHostKeysSchema,
  })
  .strict();
