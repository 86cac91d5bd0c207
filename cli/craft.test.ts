// The real `craft` command as a subprocess, against a real platform on 127.0.0.1 and the
// real OS keychain (Secret Service). Keychain tests are skipped, with the reason in their
// name, when no D-Bus session bus is set (run them inside dbus-run-session, see README).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer } from '../platform/test-helpers.js';
import { craft, craftOnTerminal, EMAIL, KEYCHAIN_SKIP, keyringEnvironment, PASSWORD, startCliPlatform, startKeyring, tempDir, type CliPlatform } from './test-helpers.js';

const NO_SCRIPT = existsSync('/usr/bin/script') ? null : 'util-linux script (a pseudo-terminal) is missing';
let p: CliPlatform;
let stopKeyring = () => {};
const data = tempDir();

beforeAll(async () => {
  if (!KEYCHAIN_SKIP) stopKeyring = await startKeyring();
  p = await startCliPlatform();
});

afterAll(async () => {
  // Forget the token this suite stored in the keychain (best effort), then everything else.
  if (!KEYCHAIN_SKIP) await craft(['logout'], { dataDir: data.dir }).catch(() => undefined);
  stopKeyring();
  await p?.dispose();
  data.remove();
});

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

describe('usage and help (no keychain needed)', () => {
  it('craft --help documents every command and the exit codes', async () => {
    const r = await craft(['--help']);
    expect(r.code).toBe(0);
    for (const word of ['login', 'logout', 'whoami', 'connections', 'token', 'projects', 'environments', 'executions', 'exec', 'env', 'keygen', 'key', 'run', 'completion', 'Exit codes', 'CRAFT_DATA_DIR'])
      expect(r.stdout).toContain(word);
    const sub = await craft(['executions', 'list', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--status <status>/);
    expect(sub.stdout).toMatch(/--limit <n>/);
    expect(sub.stdout).toMatch(/--data-dir <dir>/); // global options shown
    expect(sub.stdout).toMatch(/Exit codes: 0 success/);
  });

  it('bad usage exits 2 with a message naming the option', async () => {
    const missing = await craft(['executions', 'list', '--project', 'x'], { dataDir: data.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--environment/);
    const limit = await craft(['executions', 'list', '-p', 'x', '-e', 'y', '--limit', 'lots'], { dataDir: data.dir });
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--limit/);
    const status = await craft(['executions', 'list', '-p', 'x', '-e', 'y', '--status', 'done'], { dataDir: data.dir });
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/--status/);
    const format = await craft(['env', 'export', '-p', 'x', '-e', 'y', '--format', 'yaml'], { dataDir: data.dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format/);
    const unknown = await craft(['projects', 'list', '--colour'], { dataDir: data.dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--colour/);
    const noCommand = await craft(['exec', '-p', 'x', '-e', 'y'], { dataDir: data.dir });
    expect(noCommand.code).toBe(2);
    const badUrl = await craft(['login', '--platform', 'ftp://x', '--email', EMAIL, '--password-stdin'], { dataDir: data.dir, input: 'x\n' });
    expect([2, 5]).toContain(badUrl.code); // 5 when no keychain is reachable (checked first)
    if (badUrl.code === 2) expect(badUrl.stderr).toMatch(/--platform/);
  });

  it('not signed in exits 3 and says how to sign in', async () => {
    const empty = tempDir();
    try {
      const r = await craft(['whoami'], { dataDir: empty.dir });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/craft login/);
      const list = await craft(['connections', 'list', '--json'], { dataDir: empty.dir });
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([]);
    } finally {
      empty.remove();
    }
  });

  it('without a reachable keychain, login refuses with exit 5, changes nothing and says what is missing', async () => {
    const empty = tempDir();
    try {
      const r = await craft(['login', '--platform', p.url, '--email', EMAIL, '--password-stdin'], {
        dataDir: empty.dir,
        input: `${PASSWORD}\n`,
        env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/craft-test-bus' },
      });
      expect(r.code).toBe(5);
      expect(r.stderr).toMatch(/keychain/i);
      expect(r.stderr).toMatch(/nothing was changed/);
      expect(r.stderr).not.toContain(PASSWORD);
      expect(readdirSync(empty.dir)).toEqual([]);
    } finally {
      empty.remove();
    }
  });

  it('completion scripts for bash and zsh are valid shell', async () => {
    const bash = await craft(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o default -F _craft_complete craft');
    expect(bash.stdout).toContain('"executions list"');
    execFileSync('bash', ['-n'], { input: bash.stdout });
    // Completes in a real bash: subcommands, then the options of the command typed, then values.
    const complete = (words: string[]) =>
      execFileSync('bash', ['-c', `${bash.stdout}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _craft_complete; echo "\${COMPREPLY[*]}"`], { encoding: 'utf8' }).trim();
    expect(complete(['craft', 'tok'])).toBe('token');
    expect(complete(['craft', 'token', '']).split(' ')).toEqual(expect.arrayContaining(['show', 'regenerate']));
    expect(complete(['craft', 'executions', 'list', '--st'])).toBe('--status');
    expect(complete(['craft', 'env', 'export', '--format', ''])).toBe('shell dotenv');
    const zsh = await craft(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef craft/);
    let hasZsh = true;
    try {
      execFileSync('sh', ['-c', 'command -v zsh'], { stdio: 'ignore' });
    } catch {
      hasZsh = false;
    }
    if (hasZsh) {
      execFileSync('zsh', ['-n'], { input: zsh.stdout });
      // In a real zsh, with compadd recording what it is given.
      const harness = `${zsh.stdout.replace(/^if \[\[ "\$funcstack.*$/m, '')}
typeset -ga got
compadd() { local a; for a in "$@"; do [[ $a == -- ]] && continue; got+=("$a"); done }
_files() { got+=("<files>") }
t() { got=(); words=("$@"); CURRENT=\${#words}; _craft; print -r -- "\${got[*]}" }
t craft token ''
t craft executions list --status ''
t craft keygen --out ''`;
      const [token, status, files] = execFileSync('zsh', ['-f'], { input: harness, encoding: 'utf8' }).trim().split('\n');
      expect(token!.split(' ')).toEqual(expect.arrayContaining(['show', 'regenerate']));
      expect(status).toBe('pending running succeeded failed cancelled');
      expect(files).toBe('<files>');
    }
    const bad = await craft(['completion', 'fish']);
    expect(bad.code).toBe(2);
  });
});

describe('keygen (offline, no keychain needed)', () => {
  it('writes an RSA 4096 PEM pair that ssh-keygen accepts, private 0600, and prints the ssh-keygen -lf line', async () => {
    const dir = tempDir();
    try {
      const out = join(dir.dir, 'deploy_key');
      const r = await craft(['keygen', '--out', out], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      const pem = readFileSync(out, 'utf8');
      expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      const derived = execFileSync('ssh-keygen', ['-y', '-f', out], { encoding: 'utf8' }).trim();
      const pub = readFileSync(`${out}.pub`, 'utf8').trim();
      expect(pub.split(' ').slice(0, 2).join(' ')).toBe(derived.split(' ').slice(0, 2).join(' '));
      const lf = execFileSync('ssh-keygen', ['-lf', `${out}.pub`], { encoding: 'utf8' }).trim();
      expect(lf).toMatch(/^4096 SHA256:/);
      expect(r.stdout.trim().split('\n').pop()).toBe(lf);

      const again = await craft(['keygen', '--out', out]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/already exists.*--force/);
      expect(readFileSync(out, 'utf8')).toBe(pem);

      const json = await craft(['keygen', '--out', out, '--force', '--json'], { timeoutMs: 120_000 });
      expect(json.code, json.stderr).toBe(0);
      const parsed = JSON.parse(json.stdout) as { fingerprint: string; bits: number; public_key: string };
      expect(parsed.bits).toBe(4096);
      expect(readFileSync(out, 'utf8')).not.toBe(pem);
      expect(readFileSync(`${out}.pub`, 'utf8').trim()).toBe(parsed.public_key);
    } finally {
      dir.remove();
    }
  });

  it('keygen refuses a relative --out (2), naming the option, and writes nothing', async () => {
    const dir = tempDir();
    try {
      const r = await craft(['keygen', '--out', 'deploy_key'], { dataDir: dir.dir, cwd: dir.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--out: must be an absolute path/);
      expect(readdirSync(dir.dir)).not.toContain('deploy_key');
    } finally {
      dir.remove();
    }
  });

  it('key test refuses a malformed repository URL (2) and a key that is not a private key (1)', async () => {
    const dir = tempDir();
    try {
      const bad = await craft(['key', 'test', '--repo', 'https://github.com/a/b', '--key', join(dir.dir, 'k')], { dataDir: dir.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--repo/);
      execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '', '-f', join(dir.dir, 'k')]);
      const pub = await craft(['key', 'test', '--repo', 'git@127.0.0.1:a/b.git', '--key', join(dir.dir, 'k.pub')], { dataDir: dir.dir });
      expect(pub.code).toBe(1);
      expect(pub.stderr).toMatch(/public key/i);
    } finally {
      dir.remove();
    }
  });
});

describe.skipIf(!!KEYCHAIN_SKIP)(`with the OS keychain${KEYCHAIN_SKIP ? ` — skipped: ${KEYCHAIN_SKIP}` : ''}`, () => {
  const opts = () => ({ dataDir: data.dir });
  const target = () => ['--project', p.project, '--environment', p.environment];

  it('a wrong password exits 3 without storing anything', async () => {
    const r = await craft(['login', '--platform', p.url, '--email', EMAIL, '--password-stdin'], { ...opts(), input: 'wrong password 123\n' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/email or password is wrong/);
    expect(r.stderr).not.toContain('wrong password 123');
  });

  it('a malformed email is bad usage (2) naming --email', async () => {
    const r = await craft(['login', '--platform', p.url, '--email', 'not-an-email', '--password-stdin'], { ...opts(), input: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--email/);
  });

  it('craft login refuses http:// to another machine (2, naming --platform and why): the password never travels in clear', async () => {
    const r = await craft(['login', '--platform', 'http://192.0.2.10', '--email', EMAIL, '--password-stdin'], { ...opts(), input: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--platform: must start with https:// (http:// only for a platform on this computer: over http a password and an SDK token travel in clear)');
  });

  it('an unreachable platform exits 4 and names it', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const r = await craft(['login', '--platform', `http://127.0.0.1:${port}`, '--email', EMAIL, '--password-stdin'], { ...opts(), input: PASSWORD });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is unreachable`));
  });

  it('craft login --password-stdin, then craft whoami', async () => {
    const login = await craft(['login', '--platform', p.url, '--email', EMAIL, '--password-stdin'], { ...opts(), input: `${PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Signed in to 127\.0\.0\.1:\d+/);
    expect(login.stdout).toContain(EMAIL);
    const who = await craft(['whoami'], opts());
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toContain(EMAIL);
    expect(who.stdout).toContain('OS keychain');
    const json = await craft(['whoami', '--json'], opts());
    const parsed = JSON.parse(json.stdout) as { user: { email: string }; token_storage: string; connection: { url: string; kind: string } };
    expect(parsed.user.email).toBe(EMAIL);
    expect(parsed.token_storage).toBe('keychain');
    expect(parsed.connection).toMatchObject({ url: p.url, kind: 'team' });
    // connections.json holds the connection, never the token.
    const file = JSON.parse(readFileSync(join(data.dir, 'connections.json'), 'utf8')) as { active: string; connections: { id: string; name: string }[] };
    expect(file.connections).toHaveLength(1);
    expect(file.active).toBe(file.connections[0]!.id);
  });

  it('a command that needs the token, with no keychain reachable, exits 5 and says what is missing', async () => {
    const r = await craft(['exec', ...target(), '--', 'env'], { ...opts(), env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/craft-test-bus' } });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/No OS keychain is reachable/);
    expect(r.stderr).toMatch(/gnome-keyring/);
  });

  it('signing in again reuses the connection', async () => {
    const again = await craft(['login', '--platform', `${p.url}/`, '--email', EMAIL, '--password-stdin'], { ...opts(), input: PASSWORD });
    expect(again.code, again.stderr).toBe(0);
    const list = await craft(['connections', 'list', '--json'], opts());
    const rows = JSON.parse(list.stdout) as { name: string; active: boolean; signed_in: boolean }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ active: true, signed_in: true });
    const text = await craft(['connections', 'list'], opts());
    expect(text.stdout).toMatch(/^\s+NAME\s+KIND\s+URL\s+SIGNED IN\n\*\s+127\.0\.0\.1/);
    expect((await craft(['connections', 'list', '--names'], opts())).stdout).toBe(`${rows[0]!.name}\n`);
    const use = await craft(['connections', 'use', rows[0]!.name], opts());
    expect(use.code).toBe(0);
    const missing = await craft(['connections', 'use', 'nowhere'], opts());
    expect(missing.code).toBe(2);
  });

  it('token show is masked unless --reveal, and the revealed token works', async () => {
    const masked = await craft(['token', 'show'], opts());
    expect(masked.code).toBe(0);
    expect(masked.stdout.trim()).toMatch(/^.{4}•+.{4}$/);
    const revealed = await craft(['token', 'show', '--reveal'], opts());
    const token = revealed.stdout.trim();
    expect(token.length).toBeGreaterThan(30);
    expect(token.slice(0, 4)).toBe(masked.stdout.trim().slice(0, 4));
    const refresh = await p.platform.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: token } });
    expect(refresh.statusCode).toBe(200);
  });

  it('projects, environments and executions lists (text and --json)', async () => {
    const projects = await craft(['projects', 'list', '--json'], opts());
    expect(projects.code, projects.stderr).toBe(0);
    expect((JSON.parse(projects.stdout) as { name: string }[]).map((x) => x.name)).toEqual([p.project]);
    const text = await craft(['projects', 'list'], opts());
    expect(text.stdout).toMatch(/^NAME\s+REPOSITORY/);
    expect(text.stdout).toContain(p.project);
    const envs = await craft(['environments', 'list', '--project', p.project, '--json'], opts());
    expect(envs.code, envs.stderr).toBe(0);
    expect(JSON.parse(envs.stdout)).toEqual([expect.objectContaining({ name: 'prod', url: p.environmentUrl })]);
    const none = await craft(['executions', 'list', ...target(), '--json'], opts());
    expect(none.code, none.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(none.stdout))).toBe(true);
    const unknown = await craft(['environments', 'list', '--project', 'no-such-project'], opts());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no-such-project/);
  });

  it('craft exec -- env: the SDK variables set (the platform as CRAFT_AI_CONTROL_URL, so CraftAiSdk() needs no argument), nothing printed, and the token is in no file under the data dir', async () => {
    const token = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const r = await craft(['exec', ...target(), '--', 'env'], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`CRAFT_AI_ENVIRONMENT_URL=${p.environmentUrl}\n`);
    expect(r.stdout).toContain(`CRAFT_AI_SDK_TOKEN=${token}\n`);
    expect(r.stdout).toContain(`CRAFT_AI_CONTROL_URL=${p.url}\n`);
    for (const file of filesUnder(data.dir)) expect(readFileSync(file).includes(token), file).toBe(false);
    // The child's exit code is craft's, its arguments untouched.
    const seven = await craft(['exec', ...target(), '--', 'sh', '-c', 'exit 7'], opts());
    expect(seven.code).toBe(7);
    const missing = await craft(['exec', ...target(), '--', 'no-such-command-xyz'], opts());
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/command not found/);
  });

  it('craft exec passes a signal on to the command', async () => {
    const r = await craft(['exec', ...target(), '--', 'sh', '-c', 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done'], {
      ...opts(),
      onStart: (child, output) => {
        const timer = setInterval(() => {
          if (output.stdout.includes('ready')) {
            clearInterval(timer);
            child.kill('SIGTERM');
          }
        }, 50);
      },
    });
    expect(r.stdout).toContain('got-term');
    expect(r.code).toBe(42);
  });

  it('craft env export: shell and dotenv, masked unless --reveal', async () => {
    const token = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const masked = await craft(['env', 'export', ...target()], opts());
    expect(masked.code).toBe(0);
    expect(masked.stdout).toContain(`export CRAFT_AI_ENVIRONMENT_URL=${p.environmentUrl}\n`);
    expect(masked.stdout).not.toContain(token);
    expect(masked.stdout).toMatch(/export CRAFT_AI_SDK_TOKEN=.{4}•+.{4}\n/);
    const shown = await craft(['env', 'export', ...target(), '--format', 'dotenv', '--reveal'], opts());
    expect(masked.stdout).toContain(`export CRAFT_AI_CONTROL_URL=${p.url}\n`);
    expect(shown.stdout).toBe(`CRAFT_AI_ENVIRONMENT_URL=${p.environmentUrl}\nCRAFT_AI_SDK_TOKEN=${token}\nCRAFT_AI_CONTROL_URL=${p.url}\n`);
  });

  it('craft env export --out sets the SDK variables in a private .env, keeping its other lines; an existing file changes only with --force', async () => {
    const token = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const relative = await craft(['env', 'export', ...target(), '--out', '.env'], opts());
    expect(relative.code).toBe(2);
    expect(relative.stderr).toMatch(/--out: must be an absolute path/);
    const repo = mkdtempSync(join(data.dir, 'repo-'));
    mkdirSync(join(repo, '.git'));
    const out = join(repo, '.env');
    writeFileSync(out, '# mine\nDATABASE_URL=postgres://me@db/app\n');
    const taken = await craft(['env', 'export', ...target(), '--out', out], opts());
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`${out} exists; writing the SDK variables of ${target()[1]}/${target()[3]} changes:\n  CRAFT_AI_ENVIRONMENT_URL: added\n`);
    expect(taken.stderr).toContain('Pass --force to apply these changes');
    expect(readFileSync(out, 'utf8')).toBe('# mine\nDATABASE_URL=postgres://me@db/app\n');
    const forced = await craft(['env', 'export', ...target(), '--out', out, '--force'], opts());
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`# mine\nDATABASE_URL=postgres://me@db/app\nCRAFT_AI_ENVIRONMENT_URL=${p.environmentUrl}\nCRAFT_AI_SDK_TOKEN=${token}\nCRAFT_AI_CONTROL_URL=${p.url}\n`);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(forced.stdout).toContain(`Updated ${out} (mode 0600)`);
    expect(forced.stdout).not.toContain(token);
    expect(forced.stderr).toContain('git does not ignore it');
    // Up to date: nothing to confirm; --gitignore keeps the token out of commits.
    const again = await craft(['env', 'export', ...target(), '--out', out, '--gitignore'], opts());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${out} is already up to date`);
    expect(again.stdout).toContain(`Added .env to ${join(repo, '.gitignore')}.`);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('.env\n');
  });

  it('craft run of a failing script records a failed execution with its logs', async () => {
    const r = await craft(['run', ...target(), '--pipeline', 'train', '--', 'sh', '-c', 'echo "step one"; echo "it broke" >&2; exit 3'], opts());
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('step one');
    expect(r.stderr).toContain('it broke');
    const id = /execution (\S+) recorded/.exec(r.stderr)?.[1];
    expect(id).toBeTruthy();
    const api = `/environments/${p.slug}/api/v1`;
    const execution = await p.platform.inject({ method: 'GET', url: `${api}/executions/${id}`, headers: bearer(p.access) });
    expect(execution.json()).toMatchObject({ execution_id: id, status: 'failed', pipeline_name: 'train', created_by: expect.any(String) });
    expect(execution.json().end_date).not.toBeNull();
    const logs = await p.platform.inject({ method: 'POST', url: `${api}/executions/${id}/logs`, headers: bearer(p.access), payload: {} });
    const lines = (logs.json() as { timestamp: string; message: string }[][])[0]!; // a list of log lists, as the SDK reads it
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['step one', 'it broke']));
    for (const line of lines) expect(Number.isNaN(Date.parse(line.timestamp))).toBe(false);
    expect(lines.at(-1)!.message).toMatch(/exit code 3/);

    const listed = await craft(['executions', 'list', ...target(), '--status', 'failed', '--json'], opts());
    expect((JSON.parse(listed.stdout) as { execution_id: string }[]).map((x) => x.execution_id)).toContain(id);
  });

  it('craft run -- env ships no SDK token into the execution\'s logs: the token, and anything shaped like one, is redacted', async () => {
    const token = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const other = `craft_sdk_${'Ab3-_x'.repeat(7)}Q`; // another user's token, pasted into a script
    const r = await craft(['run', ...target(), '--pipeline', 'leak', '--', 'sh', '-c', `env; echo "token=$CRAFT_AI_SDK_TOKEN;"; echo "other ${other} end" >&2`], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`CRAFT_AI_SDK_TOKEN=${token}`); // the user's own terminal shows what the command printed
    const id = /execution (\S+) recorded/.exec(r.stderr)?.[1];
    const logs = await p.platform.inject({ method: 'POST', url: `/environments/${p.slug}/api/v1/executions/${id}/logs`, headers: bearer(p.access), payload: {} });
    const shipped = (logs.json() as { message: string }[][])[0]!.map((l) => l.message);
    expect(shipped.join('\n')).not.toContain(token);
    expect(shipped.join('\n')).not.toContain(other);
    expect(shipped).toContain('CRAFT_AI_SDK_TOKEN=[redacted SDK token]');
    expect(shipped).toContain('token=[redacted SDK token];');
    expect(shipped).toContain('other [redacted SDK token] end');
  });

  it('craft run of a succeeding command is succeeded, its --input values recorded as the SDK reads them; Ctrl-C makes it cancelled', async () => {
    const ok = await craft(
      ['run', ...target(), '--pipeline', 'train', '--input', 'epochs=3', '--input', 'dataset=s3://acme/churn.csv', '--input', 'layers=[64,32]', '--', 'sh', '-c', 'echo fine; test -n "$CRAFT_AI_EXECUTION_ID" && test -n "$CRAFT_AI_SDK_TOKEN" && test -n "$CRAFT_AI_CONTROL_URL"'],
      opts(),
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/execution \S+ succeeded/);
    const recorded = /execution (\S+) recorded/.exec(ok.stderr)![1];
    const read = await p.platform.inject({ method: 'GET', url: `/environments/${p.slug}/api/v1/executions/${recorded}`, headers: bearer(p.access) });
    expect(read.json().inputs).toEqual([
      { pipeline_input_name: 'epochs', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 3 },
      { pipeline_input_name: 'dataset', data_type: 'string', mapping_type: 'run', mapping_value: {}, value: 's3://acme/churn.csv' },
      { pipeline_input_name: 'layers', data_type: 'array', mapping_type: 'run', mapping_value: {}, value: [64, 32] },
    ]);
    const badInput = await craft(['run', ...target(), '--pipeline', 'train', '--input', 'no value', '--', 'true'], opts());
    expect(badInput.code).not.toBe(0);
    expect(badInput.stderr).toMatch(/--input.*name=value/);

    const cancelled = await craft(['run', ...target(), '--pipeline', 'train', '--', 'sh', '-c', 'echo started; exec sleep 30'], {
      ...opts(),
      onStart: (child, output) => {
        const timer = setInterval(() => {
          if (output.stdout.includes('started')) {
            clearInterval(timer);
            child.kill('SIGINT');
          }
        }, 50);
      },
    });
    expect(cancelled.code).toBe(130);
    const id = /execution (\S+) recorded/.exec(cancelled.stderr)?.[1];
    const execution = await p.platform.inject({ method: 'GET', url: `/environments/${p.slug}/api/v1/executions/${id}`, headers: bearer(p.access) });
    expect(execution.json().status).toBe('cancelled');
  });

  it('craft run … | head: the command ends as in a shell pipe (SIGPIPE), the run is recorded as failed', async () => {
    const { spawn } = await import('node:child_process');
    const { CRAFT } = await import('./test-helpers.js');
    const line = `'${process.execPath}' '${CRAFT}' run --project ${p.project} --environment ${p.environment} --pipeline flood -- yes | head -n 2`;
    const result = await new Promise<{ out: string; err: string }>((resolve) => {
      const child = spawn('sh', ['-c', line], { env: { ...process.env, ...keyringEnvironment(), CRAFT_DATA_DIR: data.dir } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', () => resolve({ out, err }));
    });
    expect(result.out).toBe('y\ny\n');
    const id = /execution (\S+) recorded/.exec(result.err)?.[1];
    expect(id, result.err).toBeTruthy();
    const execution = await p.platform.inject({ method: 'GET', url: `/environments/${p.slug}/api/v1/executions/${id}`, headers: bearer(p.access) });
    expect(execution.json().status).toBe('failed');
  });

  it('token regenerate needs --yes without a terminal; with it, the old token stops working', async () => {
    const before = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const refused = await craft(['token', 'regenerate'], opts());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    const r = await craft(['token', 'regenerate', '--yes'], opts());
    expect(r.code, r.stderr).toBe(0);
    const after = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    expect(after).not.toBe(before);
    const old = await p.platform.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: before } });
    expect(old.statusCode).toBe(401);
    expect((await craft(['whoami'], opts())).code).toBe(0);
  });

  it('craft logout revokes the SDK token on the platform and forgets it; commands then exit 3', async () => {
    const token = (await craft(['token', 'show', '--reveal'], opts())).stdout.trim();
    const r = await craft(['logout'], opts());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/platform revoked the SDK token/);
    const refused = await fetch(`${p.url}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
    expect(refused.status).toBe(401);
    const who = await craft(['whoami'], opts());
    expect(who.code).toBe(3);
    expect(who.stderr).toMatch(/craft login --platform/);
    const exec = await craft(['exec', ...target(), '--', 'env'], opts());
    expect(exec.code).toBe(3);
  });

  it.skipIf(!!NO_SCRIPT)(`on a terminal${NO_SCRIPT ? ` — skipped: ${NO_SCRIPT}` : ''}, login asks for the email and the password without echoing it; regenerate asks for confirmation`, async () => {
    const own = tempDir();
    try {
      const login = await craftOnTerminal(['login', '--platform', p.url], own.dir, [
        { waitFor: 'Email: ', type: `${EMAIL}\r` },
        { waitFor: 'Password: ', type: `${PASSWORD}\r` },
      ]);
      expect(login.code, login.screen).toBe(0);
      expect(login.screen).toContain(EMAIL);
      expect(login.screen).not.toContain(PASSWORD);
      expect(login.screen).toMatch(/Signed in to/);
      const no = await craftOnTerminal(['token', 'regenerate'], own.dir, [{ waitFor: '[y/N]', type: 'n\r' }]);
      expect(no.code).toBe(1);
      expect(no.screen).toMatch(/Nothing changed/);
      const yes = await craftOnTerminal(['token', 'regenerate'], own.dir, [{ waitFor: '[y/N]', type: 'y\r' }]);
      expect(yes.code, yes.screen).toBe(0);
      expect(yes.screen).toMatch(/New SDK token/);
      // env export --out over an existing .env: the changes shown, then asked; no keeps the file as it was.
      const file = join(own.dir, 'project.env');
      writeFileSync(file, 'MINE=1\n');
      const kept = await craftOnTerminal(['env', 'export', ...target(), '--out', file], own.dir, [{ waitFor: '[y/N]', type: 'n\r' }]);
      expect(kept.code, kept.screen).toBe(1);
      expect(kept.screen).toContain('CRAFT_AI_SDK_TOKEN: added');
      expect(kept.screen).toContain(`Nothing written to ${file}.`);
      expect(readFileSync(file, 'utf8')).toBe('MINE=1\n');
      const updated = await craftOnTerminal(['env', 'export', ...target(), '--out', file], own.dir, [{ waitFor: '[y/N]', type: 'y\r' }]);
      expect(updated.code, updated.screen).toBe(0);
      expect(readFileSync(file, 'utf8')).toMatch(/^MINE=1\nCRAFT_AI_ENVIRONMENT_URL=/);
    } finally {
      await craft(['logout'], { dataDir: own.dir }).catch(() => undefined);
      own.remove();
    }
  });
});
