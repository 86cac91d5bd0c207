// Field rules shared by the platform, the desktop app and the renderer.
// Each message names the rule, so an error shown next to a field says what to do.
import { z } from 'zod';

export const RESOURCE_NAME_RULE = 'lowercase letters, digits and "-" only, starting with a letter or digit';
export const resourceName = z
  .string({ error: 'is required' })
  .min(1, 'is required')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9][a-z0-9-]*$/, `must contain ${RESOURCE_NAME_RULE}`);

export const PYTHON_VERSIONS = ['3.9', '3.10', '3.11', '3.12', '3.13'] as const;
export const pythonVersion = z.enum(PYTHON_VERSIONS, {
  error: `must be one of ${PYTHON_VERSIONS.join(', ')}`,
});

// git@host:owner/repo(.git) — the SSH form the platform clones with.
// ssh://git@host[:port]/owner/repo(.git) is accepted too, for hosts on another port.
const SCP_URL = /^git@([A-Za-z0-9.-]+):([A-Za-z0-9._~/-]+?)(\.git)?$/;
const SSH_URL = /^ssh:\/\/git@([A-Za-z0-9.-]+)(:(\d{1,5}))?\/([A-Za-z0-9._~/-]+?)(\.git)?$/;
export const repositoryUrl = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required')
  .refine((url) => SCP_URL.test(url) || SSH_URL.test(url), {
    message: 'must be an SSH URL starting with git@ (e.g. git@github.com:owner/repo.git)',
  });

export interface RepositoryAddress {
  host: string;
  port: number;
  path: string; // owner/repo.git as given, without leading slash
}

export function parseRepositoryUrl(url: string): RepositoryAddress | null {
  const scp = SCP_URL.exec(url.trim());
  if (scp) return { host: scp[1]!, port: 22, path: scp[2]! + (scp[3] ?? '') };
  const ssh = SSH_URL.exec(url.trim());
  if (ssh) return { host: ssh[1]!, port: ssh[3] ? Number(ssh[3]) : 22, path: ssh[4]! + (ssh[5] ?? '') };
  return null;
}

/** Where the user adds a deploy key for this repository, when the host is known. */
export function deployKeySettingsUrl(url: string): string | null {
  const address = parseRepositoryUrl(url);
  if (!address) return null;
  const repo = address.path.replace(/\.git$/, '');
  if (address.host === 'github.com') return `https://github.com/${repo}/settings/keys`;
  if (address.host === 'gitlab.com') return `https://gitlab.com/${repo}/-/settings/repository#js-deploy-keys-settings`;
  return null;
}

export const branchName = z
  .string()
  .trim()
  .max(255, 'must be at most 255 characters')
  .regex(/^$|^(?!\/|.*\/$|.*\.\.|.*@\{)[^\s~^:?*[\\]+$/, 'must be a valid git branch name (no spaces, no ~ ^ : ? * [ \\ or "..")');

export const folderPath = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(1024, 'must be at most 1024 characters')
  .regex(/^\/[^\0]*$/, 'must be an absolute path in the repository, starting with "/"')
  .refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".."' });

export const filePath = z
  .string()
  .trim()
  .max(1024, 'must be at most 1024 characters')
  .refine((p) => p === '' || !p.split('/').includes('..'), { message: 'must not contain ".."' });

// Debian (and Alpine) package names: lowercase letters, digits, + - . ; start with a letter or digit; 2+ chars.
export const PACKAGE_NAME_RULE = 'a Debian/Alpine package name: lowercase letters, digits, "+", "-" and "." starting with a letter or digit';
export const systemPackageName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9+.-]+$/, `must be ${PACKAGE_NAME_RULE}`);

// zod's email pattern, plus user@localhost: the embedded platform's local admin is admin@localhost.
export const EMAIL_PATTERN = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}|localhost)$/;
export const email = z
  .string({ error: 'is required' })
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .email({ pattern: EMAIL_PATTERN, message: 'must be a valid email address' });

export const PASSWORD_MIN = 12;
export const password = z
  .string({ error: 'is required' })
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(1024, 'must be at most 1024 characters');

// A name others read in member lists: control characters (NUL, line breaks…) and text-direction
// controls (bidi overrides, isolates, marks) would let it pass for someone else's. Checked before
// trimming, so a trailing line break is refused rather than quietly dropped.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
export const displayName = z
  .string({ error: 'is required' })
  .refine((name) => !/\p{Cc}/u.test(name), 'must not contain control characters (such as NUL, tabs or line breaks)')
  .refine((name) => !BIDI_CONTROLS.test(name), 'must not contain text-direction controls (such as the right-to-left override U+202E)')
  .trim()
  .min(1, 'is required')
  .max(200, 'must be at most 200 characters');

// A file the user chose (a .env, an exported key pair): an absolute path, so that where it lands
// never depends on the folder the app or craft happened to start in.
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

export const absolutePathRule = (example: string) => `must be an absolute path, such as ${example}`;

/** An absolute path, or one in the user's home folder (~/…), which the host expands. */
export const homeOrAbsoluteFilePath = (example: string) =>
  z
    .string({ error: 'is required' })
    .trim()
    .min(1, `is required: the full path of the file, such as ${example}`)
    .refine((path) => isAbsolutePath(path) || path === '~' || path.startsWith('~/'), `${absolutePathRule(example)} or ~/${example.split('/').slice(3).join('/')}`);

export const absoluteFilePath = (example: string) =>
  z
    .string({ error: 'is required' })
    .trim()
    .min(1, `is required: the full path of the file, such as ${example}`)
    .refine(isAbsolutePath, absolutePathRule(example));
