// "Test access": proves, before a project is saved, that this deploy key can read this
// repository. It connects over SSH with ssh2 using only this key (no agent, no other
// key, no password), runs `git-upload-pack '<path>'` and reads the ref advertisement:
// success gives the default branch and the number of branches, otherwise the result
// names the step that failed.
//
// URLs: `git@host:owner/repo.git` (path relative to the SSH user's home, as git does) and
// `ssh://git@host[:port]/owner/repo.git` (absolute path, as git does). The SSH user is the
// one in the URL (git when none); `options.user`, or CRAFT_SSH_USER in the environment,
// overrides it — for a git server whose account is not `git`, and for the tests, which use
// root against a local sshd because a test machine has no `git` account.
//
// In common/: the desktop tests a key before saving it, and the platform tests the key it
// holds (Settings → Test access, and a replacement key before it is saved).
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import { shellQuote } from '../domain/dotenv.js';
import { deployKeySettingsUrl } from '../domain/rules.js';
import { sha256FingerprintText } from '../domain/ssh-public-key.js';

/** Published host key fingerprints (RSA, ECDSA, Ed25519). */
export const BUILTIN_HOST_KEYS: Record<string, string[]> = {
  // https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/githubs-ssh-key-fingerprints
  'github.com': [
    'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
    'SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM',
    'SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU',
  ],
  // https://docs.gitlab.com/user/gitlab_com/#ssh-host-keys-fingerprints
  'gitlab.com': [
    'SHA256:ROQFvPThGrW4RuWLoL9tq9I9zJ42fK4XywyRtbOz/EQ',
    'SHA256:HbW3g8zUjNSksFbqTiUWPWg2Bq1x8xdGUrliXFzSnUw',
    'SHA256:eUXGGm1YGsMAS7vkcx6JOJdOGHPem5gQp4taiCfCLB8',
  ],
};
// The same services answer on port 443 under these names.
BUILTIN_HOST_KEYS['ssh.github.com'] = BUILTIN_HOST_KEYS['github.com']!;
BUILTIN_HOST_KEYS['altssh.gitlab.com'] = BUILTIN_HOST_KEYS['gitlab.com']!;

/** The SHA256 fingerprint of a raw SSH host key blob. */
export function hostKeyFingerprint(blob: Uint8Array): string {
  return sha256FingerprintText(new Uint8Array(createHash('sha256').update(blob).digest()));
}

/** "host" on port 22, "[host]:port" otherwise, as OpenSSH's known_hosts writes it. */
export function hostLabel(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed';

/** Which host keys a test trusts: the desktop's known_hosts.json, or what the platform was told. */
export interface HostKeyTrust {
  verdict(host: string, port: number, fingerprint: string): HostKeyVerdict;
  trust(host: string, port: number, fingerprint: string): void;
}

/**
 * The platform's trust for one test: the built-in hosts, and the fingerprints the caller's
 * desktop trusts for this host (it confirmed them with its user). Kept for this test only.
 */
export class GivenHostKeys implements HostKeyTrust {
  private readonly given: Set<string>;
  constructor(fingerprints: readonly string[] = []) {
    this.given = new Set(fingerprints);
  }
  verdict(host: string, port: number, fingerprint: string): HostKeyVerdict {
    const builtin = BUILTIN_HOST_KEYS[host.toLowerCase()];
    const known = builtin && (port === 22 || port === 443) ? builtin : [...this.given];
    if (known.includes(fingerprint)) return 'trusted';
    return known.length === 0 ? 'unknown' : 'changed';
  }
  trust(_host: string, _port: number, fingerprint: string): void {
    this.given.add(fingerprint);
  }
}

export interface RepositoryTarget {
  user: string;
  host: string;
  port: number;
  /** What git sends to git-upload-pack: relative for scp-like URLs, absolute for ssh:// URLs. */
  path: string;
}

const SCP_LIKE = /^(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s'"`\\\0]+)$/;
const SSH_URL = /^ssh:\/\/(?:([A-Za-z0-9._-]+)@)?([A-Za-z0-9.-]+)(?::(\d{1,5}))?(\/[^\s'"`\\\0]+)$/;

export function parseRepositoryTarget(url: string): RepositoryTarget | null {
  const text = url.trim();
  const ssh = SSH_URL.exec(text);
  if (ssh) {
    const port = ssh[3] ? Number(ssh[3]) : 22;
    if (port < 1 || port > 65535) return null;
    return { user: ssh[1] ?? 'git', host: ssh[2]!, port, path: ssh[4]! };
  }
  const scp = SCP_LIKE.exec(text);
  if (scp) return { user: scp[1] ?? 'git', host: scp[2]!, port: 22, path: scp[3]! };
  return null;
}

export type AccessStep = 'address' | 'unreachable' | 'unknown_host_key' | 'changed_host_key' | 'key_refused' | 'repository_not_found' | 'protocol';

export type AccessResult =
  | { ok: true; host: string; host_fingerprint: string; default_branch: string | null; branch_count: number }
  | { ok: false; step: AccessStep; message: string; host: string; host_fingerprint?: string; deploy_key_url?: string | null };

export interface AccessOptions {
  url: string;
  /** PKCS#1 PEM of the deploy key (DeployKeys.privateKeyPem). */
  privateKeyPem: string;
  knownHosts: HostKeyTrust;
  /** The SHA256 fingerprint the user confirmed for an unknown host: trusted (and saved) if it is the one presented. */
  acceptHostFingerprint?: string;
  /** Overrides the SSH user of the URL. */
  user?: string;
  timeoutMs?: number;
}

/** What the ref advertisement says. */
export interface RefAdvertisement {
  head: string | null;
  symref: string | null;
  branches: Map<string, string>;
}

/** Parses git's pkt-line ref advertisement; returns null until the flush packet arrives. */
export function parseRefAdvertisement(buffer: Buffer): RefAdvertisement | null {
  const result: RefAdvertisement = { head: null, symref: null, branches: new Map() };
  let offset = 0;
  let first = true;
  while (offset + 4 <= buffer.length) {
    const length = Number.parseInt(buffer.subarray(offset, offset + 4).toString('ascii'), 16);
    if (Number.isNaN(length)) throw new Error('the server did not answer with git pkt-lines');
    if (length === 0) return result;
    if (length < 4) throw new Error('malformed pkt-line');
    if (offset + length > buffer.length) return null;
    let line = buffer.subarray(offset + 4, offset + length).toString('utf8');
    offset += length;
    if (line.endsWith('\n')) line = line.slice(0, -1);
    if (first && line.startsWith('version ')) continue;
    let caps = '';
    const nul = line.indexOf('\0');
    if (nul >= 0) {
      caps = line.slice(nul + 1);
      line = line.slice(0, nul);
    }
    first = false;
    const symref = /(?:^| )symref=HEAD:(\S+)/.exec(caps);
    if (symref) result.symref = symref[1]!;
    const [sha, name] = line.split(' ');
    if (!sha || !name) continue;
    if (name === 'HEAD') result.head = sha;
    else if (name.startsWith('refs/heads/')) result.branches.set(name.slice('refs/heads/'.length), sha);
  }
  return null;
}

function defaultBranch(ads: RefAdvertisement): string | null {
  if (ads.symref?.startsWith('refs/heads/')) return ads.symref.slice('refs/heads/'.length);
  if (ads.head) {
    for (const [name, sha] of ads.branches) if (sha === ads.head) return name;
  }
  return null;
}

function socketReason(error: { code?: string; message?: string; level?: string }): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens on that port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case 'ECONNRESET':
      return 'the connection was reset';
  }
  if (error.level === 'client-timeout') return 'no SSH answer within the time limit';
  return (error.message ?? 'network error').slice(0, 160);
}

/** Tests that the key reads the repository. Never throws for a failed step: the result says which. */
export function testRepositoryAccess(options: AccessOptions): Promise<AccessResult> {
  const target = parseRepositoryTarget(options.url);
  if (!target) {
    return Promise.resolve({
      ok: false,
      step: 'address',
      host: '',
      message: 'The repository URL is not an SSH URL: use git@host:owner/repo.git or ssh://git@host:port/owner/repo.git',
    });
  }
  const user = options.user ?? (process.env.CRAFT_SSH_USER || target.user);
  const label = hostLabel(target.host, target.port);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const settingsUrl = deployKeySettingsUrl(options.url);

  return new Promise<AccessResult>((resolve) => {
    const conn = new ssh2.Client();
    let fingerprint: string | undefined;
    let verdict: HostKeyVerdict | undefined;
    let settled = false;
    const finish = (result: AccessResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.end();
      setImmediate(() => conn.destroy());
      resolve(result);
    };
    const fail = (step: AccessStep, message: string, extra: Partial<Extract<AccessResult, { ok: false }>> = {}) =>
      finish({ ok: false, step, message, host: label, ...(fingerprint ? { host_fingerprint: fingerprint } : {}), ...extra });
    const timer = setTimeout(
      () => fail(verdict === 'trusted' ? 'protocol' : 'unreachable', `${label} did not complete the SSH exchange within ${Math.round(timeoutMs / 1000)} s`),
      timeoutMs + 2_000,
    );

    conn.on('ready', () => {
      conn.exec(`git-upload-pack ${shellQuote(target.path, { always: true })}`, (error, stream) => {
        if (error) return fail('protocol', `${label} accepted the key but would not run git-upload-pack: ${error.message.slice(0, 160)}`);
        let out = Buffer.alloc(0);
        let errText = '';
        stream.on('data', (chunk: Buffer) => {
          out = Buffer.concat([out, chunk]);
          let ads: RefAdvertisement | null;
          try {
            ads = parseRefAdvertisement(out);
          } catch (parseError) {
            return fail('protocol', `${label} answered something that is not git: ${(parseError as Error).message}`);
          }
          if (ads) {
            stream.write('0000'); // we want nothing: end the exchange politely
            stream.end();
            finish({ ok: true, host: label, host_fingerprint: fingerprint ?? '', default_branch: defaultBranch(ads), branch_count: ads.branches.size });
          }
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          if (errText.length < 2_000) errText += chunk.toString('utf8');
        });
        stream.on('close', () => {
          const said = errText.replace(/\s+/g, ' ').trim().slice(0, 200);
          fail(
            'repository_not_found',
            `${label} accepted the deploy key but did not give access to ${target.path}${said ? ` (it said: "${said}")` : ''}: check the repository URL, and that this key is a deploy key of this very repository (a deploy key belongs to one repository).`,
            { deploy_key_url: settingsUrl },
          );
        });
      });
    });

    conn.on('error', (error: Error & { level?: string; code?: string }) => {
      if (verdict === 'unknown')
        return fail(
          'unknown_host_key',
          `${label} is not a known host. Its key fingerprint is ${fingerprint}: check it with the host's administrator (or its documentation), then confirm to trust it.`,
        );
      if (verdict === 'changed')
        return fail(
          'changed_host_key',
          `The host key of ${label} changed (it now shows ${fingerprint}): this can be an attack, so the connection was refused. If the host's administrator confirms the change, forget the old key and test again.`,
        );
      if (error.level === 'client-authentication')
        return fail(
          'key_refused',
          `${label} refused this deploy key: add the public key to the repository's deploy keys${settingsUrl ? ` (${settingsUrl})` : ' (in the repository settings of your git host)'}, then test again.`,
          { deploy_key_url: settingsUrl },
        );
      if (error.level === 'client-socket' || error.level === 'client-timeout' || error.code)
        return fail('unreachable', `Cannot reach ${label}: ${socketReason(error)}. Check the repository URL and the network.`);
      fail('protocol', `The SSH exchange with ${label} failed: ${error.message.slice(0, 160)}`);
    });

    conn.on('close', () => fail(verdict === 'trusted' ? 'protocol' : 'unreachable', `${label} closed the connection before the test finished`));

    try {
      conn.connect({
        host: target.host,
        port: target.port,
        username: user,
        privateKey: options.privateKeyPem,
        authHandler: ['publickey'],
        tryKeyboard: false,
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => {
          fingerprint = hostKeyFingerprint(key);
          verdict = options.knownHosts.verdict(target.host, target.port, fingerprint);
          if (verdict === 'unknown' && options.acceptHostFingerprint === fingerprint) {
            options.knownHosts.trust(target.host, target.port, fingerprint);
            verdict = 'trusted';
          }
          return verdict === 'trusted';
        },
      });
    } catch (error) {
      fail('protocol', `Cannot start the SSH connection: ${(error as Error).message.slice(0, 160)}`);
    }
  });
}
