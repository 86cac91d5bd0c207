export const KEYRING_PACKAGES: string[];
export const KEYRING_INSTALL: string;
export const PRIVATE_KEYRING_ENV: string;
export function secretServiceProblem(env?: NodeJS.ProcessEnv, cwd?: string): string | null;
export function missingKeyringTools(env?: NodeJS.ProcessEnv): { program: string; package: string }[];
export function missingToolsMessage(missing: { program: string; package: string }[]): string;
export function runInPrivateKeyring(command: string, args: string[], env?: NodeJS.ProcessEnv): number;
