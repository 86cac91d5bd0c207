// Exit codes of `craft` (documented in `craft --help`) and how an error maps to one.
import { AppError } from '../domain/errors.js';

export const EXIT = {
  ok: 0,
  /** The platform refused, a check failed, a file could not be written… */
  failure: 1,
  /** Bad usage: an unknown command or option, a missing or malformed option value. */
  usage: 2,
  /** Not signed in (no token stored, or the platform no longer accepts it), or sign-in refused. */
  notSignedIn: 3,
  /** The platform (or the repository host) is unreachable. */
  offline: 4,
  /** No OS keychain (Secret Service) is reachable: a token cannot be kept beyond this command. */
  noKeychain: 5,
  /** Interrupted (Ctrl-C) before anything was started. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    failure (the platform refused, a check failed, a file could not be written)
  2    bad usage (unknown command or option, missing or malformed value)
  3    not signed in (run \`craft login\`), or the sign-in was refused
  4    offline: the platform or the repository host is unreachable
  5    no OS keychain reachable (no Secret Service): a token cannot be kept
       beyond this one command, so \`craft login\` refuses and nothing else
       can read a stored token
  130  interrupted before anything started
  \`craft exec\` and \`craft run\` exit with the command's own exit code once it
  has started (128+N when it was killed by signal N).`;

export const EXIT_CODES_SHORT = 'Exit codes: 0 success, 1 failure, 2 bad usage, 3 not signed in, 4 offline, 5 no OS keychain (details: craft --help).';

/** A usage error: exit code 2, the message names the option at fault. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof AppError) {
    switch (error.code) {
      case 'unauthorized':
        return EXIT.notSignedIn;
      case 'offline':
        return EXIT.offline;
      case 'keychain_unavailable':
        return EXIT.noKeychain;
      case 'cancelled':
        return EXIT.interrupted;
      default:
        return EXIT.failure;
    }
  }
  return EXIT.failure;
}

/** Platform field names as the options that carry them. */
const FIELD_OPTIONS: Record<string, string> = {
  pipeline_name: '--pipeline',
  project: '--project',
  environment: '--environment',
  platform: '--platform',
  email: '--email',
};

export function describeError(error: unknown): string {
  if (error instanceof AppError) {
    const option = error.field ? FIELD_OPTIONS[error.field] : undefined;
    return option && !error.message.startsWith(option) ? `${error.message} (${option})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
