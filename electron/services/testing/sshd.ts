// A real OpenSSH server on 127.0.0.1 for tests of "Test access" (the desktop's and
// `craft key test`'s): its own host key and authorized_keys in a folder of the test's.
// The SSH user is root: a test machine has no `git` account.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Why these tests cannot run here, or null. */
export const sshdSkipReason: string | null = !existsSync(SSHD)
  ? `${SSHD} is missing (apt install openssh-server)`
  : process.getuid?.() !== 0
    ? 'sshd needs root here (it logs in as root)'
    : null;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestSshd {
  port: number;
  /** "SHA256:…" of the server's host key, as ssh-keygen -lf prints it. */
  hostFingerprint: string;
  /** What sshd logged so far (LogLevel VERBOSE: which key was accepted). */
  log(): string;
  stop(): void;
}

/** Starts sshd accepting exactly `authorizedKeys` (OpenSSH public key lines) and waits until it listens. */
export async function startTestSshd(dir: string, authorizedKeys: string): Promise<TestSshd> {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  const hostFingerprint = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(' ')[1]!;
  writeFileSync(join(dir, 'authorized_keys'), authorizedKeys, { mode: 0o600 });
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation directory
  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!log.includes('Server listening')) {
    if (Date.now() > deadline || sshd.exitCode !== null) throw new Error(`sshd did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, hostFingerprint, log: () => log, stop: () => void sshd.kill('SIGTERM') };
}

export interface TestGitServer extends TestSshd {
  /** ssh://git@127.0.0.1:PORT/…/repo.git: main (the default), dev and feature/x. The SSH user is overridden to root (CRAFT_SSH_USER). */
  repositoryUrl: string;
  /** Makes an RSA 2048 PEM pair in the folder: its private PEM and public line. */
  keyPair(name: string): { privatePem: string; publicKey: string };
  /** Replaces the keys sshd accepts (authorized_keys is read at each connection). */
  authorize(publicKeys: string[]): void;
}

/** Runs commands in the test's folder, with git's and ssh's configuration kept there (HOME), never the machine's. */
export function testCommandRunner(dir: string): (cmd: string, args: string[], cwd?: string) => string {
  return (cmd, args, cwd = dir) => execFileSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
}

/** A bare repository `repo.git` in the folder: main (its default, one commit) and the other branches given. Answers its path. */
export function createTestRepository(dir: string, branches: readonly string[] = ['dev', 'feature/x']): string {
  const run = testCommandRunner(dir);
  const repository = join(dir, 'repo.git');
  run('git', ['init', '-q', '--bare', '-b', 'main', repository]);
  const work = join(dir, 'work');
  mkdirSync(work);
  run('git', ['init', '-q', '-b', 'main'], work);
  writeFileSync(join(work, 'README.md'), 'hello\n');
  run('git', ['add', '.'], work);
  run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'first'], work);
  for (const branch of branches) run('git', ['branch', branch], work);
  run('git', ['push', '-q', repository, 'main', ...branches], work);
  return repository;
}

/** sshd on 127.0.0.1 serving one git repository with three branches, accepting the keys given (none at first). */
export async function startTestGitServer(dir: string): Promise<TestGitServer> {
  const run = testCommandRunner(dir);
  createTestRepository(dir);
  const sshd = await startTestSshd(dir, '');
  return {
    ...sshd,
    repositoryUrl: `ssh://git@127.0.0.1:${sshd.port}${join(dir, 'repo.git')}`,
    keyPair(name) {
      run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-C', name, '-f', join(dir, name)]);
      return { privatePem: readFileSync(join(dir, name), 'utf8'), publicKey: readFileSync(join(dir, `${name}.pub`), 'utf8').trim() };
    },
    authorize(publicKeys) {
      writeFileSync(join(dir, 'authorized_keys'), publicKeys.map((k) => `${k}\n`).join(''), { mode: 0o600 });
    },
  };
}
