// SSH host keys the app trusts, by SHA256 fingerprint ("SHA256:…", ssh-keygen -lf form).
// github.com's and gitlab.com's published keys are built in; any other host is trusted
// on first use after the user confirms its fingerprint, and kept in
// <dataDir>/known_hosts.json. A changed key afterwards is refused.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_HOST_KEYS, hostLabel, type HostKeyTrust, type HostKeyVerdict } from '../../common/repo-access.js';
import { writeFileAtomic } from './connections.js';
import { narrowExisting, privateFolder } from '../../common/private-files.js';

export { BUILTIN_HOST_KEYS, hostKeyFingerprint, hostLabel, type HostKeyVerdict } from '../../common/repo-access.js';

export class KnownHosts implements HostKeyTrust {
  readonly file: string | null;
  private entries: Record<string, string[]>;

  private constructor(file: string | null, entries: Record<string, string[]>) {
    this.file = file;
    this.entries = entries;
  }

  /** Loads <dataDir>/known_hosts.json (missing or unreadable: empty). */
  static load(dataDir: string): KnownHosts {
    privateFolder(dataDir);
    const file = join(dataDir, 'known_hosts.json');
    narrowExisting([file]);
    let entries: Record<string, string[]> = {};
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { hosts?: Record<string, unknown> };
      for (const [label, list] of Object.entries(data.hosts ?? {})) {
        if (Array.isArray(list)) entries[label] = list.filter((x): x is string => typeof x === 'string' && x.startsWith('SHA256:'));
      }
    } catch {
      entries = {};
    }
    return new KnownHosts(file, entries);
  }

  static inMemory(): KnownHosts {
    return new KnownHosts(null, {});
  }

  /** The fingerprints trusted for a host: built in (port 22 or 443) or confirmed by the user. */
  fingerprints(host: string, port: number): { builtin: boolean; fingerprints: string[] } {
    const builtin = BUILTIN_HOST_KEYS[host.toLowerCase()];
    if (builtin && (port === 22 || port === 443)) return { builtin: true, fingerprints: [...builtin] };
    return { builtin: false, fingerprints: [...(this.entries[hostLabel(host, port)] ?? [])] };
  }

  verdict(host: string, port: number, fingerprint: string): HostKeyVerdict {
    const { fingerprints } = this.fingerprints(host, port);
    if (fingerprints.includes(fingerprint)) return 'trusted';
    return fingerprints.length === 0 ? 'unknown' : 'changed';
  }

  /** Trusts a host key the user confirmed. Refuses to replace a different known key silently. */
  trust(host: string, port: number, fingerprint: string): void {
    if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) throw new Error('not a SHA256 fingerprint');
    const verdict = this.verdict(host, port, fingerprint);
    if (verdict === 'trusted') return;
    if (verdict === 'changed') throw new Error(`the host key of ${hostLabel(host, port)} changed: remove the old key first (forget the host)`);
    this.entries[hostLabel(host, port)] = [fingerprint];
    this.save();
  }

  /** Forgets a host's confirmed key (after the user checked why it changed). */
  forget(host: string, port: number): void {
    delete this.entries[hostLabel(host, port)];
    this.save();
  }

  private save(): void {
    if (this.file) writeFileAtomic(this.file, `${JSON.stringify({ version: 1, hosts: this.entries }, null, 2)}\n`);
  }
}
