// The `craft` command tree (commander). Every command's action lives here; the shared
// pieces are in context.ts (data dir, connections, keychain), runner.ts (child processes),
// io.ts (prompts, tables) and errors.ts (exit codes).
import { existsSync, readFileSync } from 'node:fs';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { AppError } from '../domain/errors.js';
import { dataTypeOf, EXECUTION_STATUSES, IO_NAME_RULE, type ExecutionStatus } from '../domain/execution.js';
import type { EndpointInput } from '../domain/platform-contract.js';
import { fingerprintLine } from '../domain/ssh-public-key.js';
import { sdkVariables } from '../domain/environment.js';
import { maskToken, sdkDotEnvLines, sdkExportLines } from '../electron/services/accounts.js';
import { checkChosenPaths, DEPLOY_KEY_EXAMPLE } from '../electron/services/chosen-files.js';
import { expandHome, ignoreInGit, planDotEnv, writeDotEnv } from '../electron/services/dotenv-file.js';
import { describeDotEnvChanges, dotEnvUpToDate } from '../domain/dotenv.js';
import { normalisePlatformUrl, signInWithPassword } from '../electron/services/sign-in.js';
import { PlatformClient } from '../electron/services/platform-client.js';
import type { ConnectionRecord } from '../electron/services/connections.js';
import { bashCompletion, zshCompletion } from './completion.js';
import { CliContext, type GlobalOptions } from './context.js';
import { EXIT, EXIT_CODES_HELP, EXIT_CODES_SHORT, UsageError } from './errors.js';
import { confirm, err, interactive, out, printJson, prompt, promptHidden, readStdin, table } from './io.js';
import { recordedRun, runChild } from './runner.js';

export const ENVIRONMENT_HELP = `Environment:
  CRAFT_DATA_DIR   where connections.json lives (default: the desktop app's data
                   folder); --data-dir overrides it
  Tokens live in the OS keychain (service "craft-mlops-desktop"), shared with the
  desktop app: sign in once, use either. No token is ever written to a file.`;

/** What an action hands back to main(): the exit code (exec, run, key test) and the connection used. */
export interface ProgramResult {
  exitCode: number;
  /** The connection the command worked on, if any (error hints). */
  connection?: ConnectionRecord;
}

function limitNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be an integer between 1 and 1000.');
  return n;
}

/** --out, by the rules of files the user chose: an absolute path (else bad usage), not a taken one unless --force. */
function checkOut(paths: string[], force: boolean, example: string): void {
  try {
    checkChosenPaths(paths, { overwrite: force, field: 'out', example });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'validation') throw new UsageError(`--${error.message}`);
    if (error.code === 'conflict') throw new AppError('conflict', `${paths.find((path) => existsSync(path))} already exists: choose another --out, or pass --force to replace it`, 'out');
    throw error;
  }
}

/** `craft env export --out`: the one .env writer, the changes to an existing file shown and confirmed (or --force). */
async function writeEnvFile(path: string, values: { url: string; token: string }, target: string, opts: { force?: boolean; gitignore?: boolean }): Promise<boolean> {
  const plan = planDotEnv(path, values, { field: 'out' });
  let confirmed = !!opts.force;
  if (plan.exists && !dotEnvUpToDate(plan) && !confirmed) {
    const lines = plan.changes.map((c) => `  ${c.name}: ${c.change}`).join('\n');
    const summary = `${plan.path} exists; writing the SDK variables of ${target} changes:\n${lines}\n  (${plan.kept_lines} other line${plan.kept_lines === 1 ? '' : 's'} kept${plan.narrows_mode ? '; the file becomes readable by you only' : ''})`;
    if (!interactive()) throw new AppError('conflict', `${summary}\nPass --force to apply these changes`, 'out');
    err(summary);
    if (!(await confirm(`Update ${plan.path}?`, '--force'))) {
      err(`Nothing written to ${plan.path}.`);
      return false;
    }
    confirmed = true;
  }
  const done = writeDotEnv(path, values, { field: 'out', confirmed });
  if (!done.written) out(`${done.path} is already up to date: the SDK variables of ${target}.`);
  else out(`${done.exists ? 'Updated' : 'Wrote'} ${done.path} (mode 0600): the SDK variables of ${target} (${describeDotEnvChanges(done)}).`);
  if (done.git && !done.git.ignored) {
    if (opts.gitignore) {
      const added = ignoreInGit(done.path, { field: 'out' });
      out(`Added ${added.line} to ${added.gitignore}.`);
    } else err(`craft: ${done.path} holds your SDK token and git does not ignore it: add it to ${done.git.gitignore} (or run again with --gitignore)`);
  }
  return true;
}

function hostName(url: string): string {
  return new URL(url).host;
}

/** --input name=value, repeatable: the value read as JSON when it is JSON (3, true, [1,2], {"a":1}, "quoted"), else as text. */
function inputOption(text: string, previous: RunInput[] = []): RunInput[] {
  const at = text.indexOf('=');
  const name = at > 0 ? text.slice(0, at) : '';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name)) throw new InvalidArgumentError(`must be name=value, the name with ${IO_NAME_RULE}.`);
  if (previous.some((input) => input.pipeline_input_name === name)) throw new InvalidArgumentError(`${name} is given twice.`);
  const raw = text.slice(at + 1);
  let value: RunInput['value'] = raw;
  try {
    value = JSON.parse(raw) as RunInput['value'];
  } catch {
    // plain text
  }
  return [...previous, { pipeline_input_name: name, data_type: dataTypeOf(value), value }];
}

type RunInput = EndpointInput<'createExecution'>['body']['inputs'] extends (infer I)[] | undefined ? I : never;

function splitCommand(words: string[], name: string): { command: string; args: string[] } {
  const [command, ...args] = words;
  if (!command) throw new UsageError(`${name}: a command is required after -- (e.g. craft ${name} --project P --environment E -- python train.py)`);
  return { command, args };
}

export function buildProgram(result: ProgramResult): Command {
  const program = new Command('craft');
  const ctxOf = (command: Command) => new CliContext(command.optsWithGlobals<GlobalOptions>(), process.env, (record) => (result.connection = record));

  program
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'craft: ')) })
    .description('Craft MLOps on the command line: sign in, keep the SDK token in the OS keychain, run code with it, generate deploy keys, record runs as executions.')
    .version('0.1.0', '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'the data folder shared with the desktop app (default: $CRAFT_DATA_DIR, else the app\'s)')
    .option('-c, --connection <name>', 'work on this connection instead of the active one (see `craft connections list`)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n\nExamples:
  craft login --platform https://mlops.example.com --email ada@example.com
  echo "$PASSWORD" | craft login --platform https://mlops.example.com --email ada@example.com --password-stdin
  craft exec --project churn --environment prod -- python train.py
  craft run --project churn --environment prod --pipeline train -- python train.py
  craft keygen --out "$PWD/deploy_key"`);

  // ——— sign-in ———

  program
    .command('login')
    .description('Sign in to a platform with email and password; keeps the SDK token in the OS keychain and makes the connection active. A new SDK token is issued: the previous one stops working.')
    .option('--platform <url>', 'the platform URL, e.g. https://mlops.example.com (asked when missing)')
    .option('--email <email>', 'your email (asked when missing)')
    .option('--password-stdin', 'read the password from standard input (as docker login does) instead of asking')
    .action(async (opts: { platform?: string; email?: string; passwordStdin?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const vault = await ctx.vault();
      if (vault.storage !== 'keychain')
        throw new AppError(
          'keychain_unavailable',
          `craft login keeps your SDK token in the OS keychain so that the next commands (and the desktop app) can use it, and none is reachable here; nothing was changed and your current SDK token still works. ${vault.message}`,
        );
      const active = ctx.hasData() ? ctx.connections().active() : null;
      const rawUrl = opts.platform ?? (await prompt('Platform URL', '--platform', active?.kind === 'team' ? active.url : undefined));
      let url: string;
      try {
        url = normalisePlatformUrl(rawUrl);
      } catch (error) {
        throw new UsageError(`--platform: ${(error as Error).message.replace(/^platform: /, '')}`);
      }
      const email = opts.email ?? (await prompt('Email', '--email'));
      if (!email.trim()) throw new UsageError('--email: is required');
      const password = opts.passwordStdin ? await readStdin() : await promptHidden('Password', '--password-stdin');
      if (!password) throw new UsageError(opts.passwordStdin ? '--password-stdin: standard input is empty' : 'a password is required');
      let signedIn: Awaited<ReturnType<typeof signInWithPassword>>;
      try {
        signedIn = await signInWithPassword({ baseUrl: url, email, password });
      } catch (error) {
        // A malformed email is refused by the platform's own rule: bad usage, naming the option.
        if (error instanceof AppError && error.code === 'validation' && error.field === 'email') throw new UsageError(`--email: ${error.message.replace(/^email: /, '')}`);
        throw error;
      }
      const connections = ctx.connections();
      let record = connections.list().find((c) => c.url === url);
      if (!record) {
        const taken = new Set(connections.list().map((c) => c.name));
        let name = hostName(url);
        for (let i = 2; taken.has(name); i++) name = `${hostName(url)} (${i})`;
        record = connections.add({ name, url, kind: 'team' });
      }
      await vault.setToken(record.id, signedIn.sdk_token);
      connections.setActive(record.id);
      out(`Signed in to ${record.name} (${url}) as ${signedIn.user.name} <${signedIn.user.email}>.`);
      out('Your SDK token is in the OS keychain, shared with the desktop app; the previous one no longer works.');
      if (signedIn.password_change_required) err('craft: the platform asks you to choose a new password: change it in the desktop app (Account) before the one-time password expires.');
    });

  program
    .command('logout')
    .description('Sign out of the active connection (or --connection): revokes the SDK token on the platform (with its sessions), then forgets it in the keychain.')
    .action(async (_opts: unknown, command: Command) => {
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const vault = await ctx.vault();
      const token = await vault.getToken(record.id);
      if (!token) {
        if (vault.storage === 'memory') throw new AppError('keychain_unavailable', `Cannot read the SDK token of "${record.name}": ${vault.message}`);
        out(`Not signed in to ${record.name}: nothing to do.`);
        return;
      }
      let note = 'the platform revoked the SDK token';
      try {
        await new PlatformClient({ baseUrl: record.url, getSdkToken: async () => token }).revokeSdkToken();
      } catch (error) {
        note = `the platform could not be told (${(error as Error).message}); its session expires by itself`;
      }
      await vault.deleteToken(record.id);
      out(`Signed out of ${record.name} (${record.url}): ${note}.`);
    });

  program
    .command('whoami')
    .description('Who you are signed in as, on which platform, and where the token lives.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const client = await ctx.client(record);
      const user = await client.call('me');
      const storage = (await ctx.vault()).storage;
      if (opts.json) return printJson({ connection: { name: record.name, url: record.url, kind: record.kind }, user, token_storage: storage });
      out(`${user.name} <${user.email}> (${user.role}) on ${record.name} (${record.url}); SDK token in the ${storage === 'keychain' ? 'OS keychain' : 'memory of this command only'}`);
    });

  // ——— connections ———

  const connections = program.command('connections').description('The platform connections shared with the desktop app.');
  connections
    .command('list')
    .description('List the connections; * marks the active one.')
    .option('--json', 'print JSON')
    .addOption(new Option('--names', 'print the names only, one a line (shell completion)').hideHelp())
    .action(async (opts: { json?: boolean; names?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const list = ctx.hasData() ? ctx.connections().list() : [];
      if (opts.names) return list.forEach((c) => out(c.name));
      const active = ctx.hasData() ? ctx.connections().active()?.id : undefined;
      const vault = list.length > 0 ? await ctx.vault() : null;
      const rows = [];
      for (const c of list) rows.push({ ...c, active: c.id === active, signed_in: vault ? (await vault.getToken(c.id)) !== null : false });
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return out('No connections yet: run `craft login --platform https://your-platform`.');
      process.stdout.write(table(['', 'NAME', 'KIND', 'URL', 'SIGNED IN'], rows.map((r) => [r.active ? '*' : ' ', r.name, r.kind, r.url, r.signed_in ? 'yes' : 'no'])));
      if (vault?.storage === 'memory') err(`craft: ${vault.message}`);
    });
  connections
    .command('use')
    .description('Make a connection the active one (no network involved).')
    .argument('<name>', 'the connection name (or id)')
    .action(async (name: string, _opts: unknown, command: Command) => {
      const ctx = ctxOf(command);
      const record = ctx.find(name);
      if (!record) throw new UsageError(`connections use: no connection named "${name}" (see \`craft connections list\`)`);
      ctx.connections().setActive(record.id);
      out(`Active connection: ${record.name} (${record.url})`);
    });

  // ——— token ———

  const token = program.command('token').description('Your personal SDK token (CRAFT_AI_SDK_TOKEN), kept in the OS keychain.');
  token
    .command('show')
    .description('Show the SDK token, masked unless --reveal.')
    .option('--reveal', 'print the token itself (alone on stdout, for pipes)')
    .option('--json', 'print JSON')
    .action(async (opts: { reveal?: boolean; json?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const value = await ctx.token(record);
      const storage = (await ctx.vault()).storage;
      if (opts.json) return printJson({ connection: record.name, masked: maskToken(value), ...(opts.reveal ? { token: value } : {}), storage });
      out(opts.reveal ? value : maskToken(value));
    });
  token
    .command('regenerate')
    .description('Issue a new SDK token; the current one stops working at once, everywhere it is used. Asks for confirmation unless --yes.')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (opts: { yes?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const record = ctx.connection();
      await ctx.token(record);
      if (!opts.yes) {
        if (!interactive()) throw new UsageError('token regenerate: --yes is required (there is no terminal to confirm)');
        const yes = await confirm(`Regenerate your SDK token on ${record.name}? The current token stops working at once, everywhere it is used`, '--yes');
        if (!yes) {
          err('Nothing changed.');
          result.exitCode = EXIT.failure;
          return;
        }
      }
      const view = await (await ctx.accounts()).regenerate(record.id);
      out(`New SDK token ${view.masked} stored in the ${view.storage === 'keychain' ? 'OS keychain' : 'memory of this command only'}; the previous one no longer works.`);
    });

  // ——— lists ———

  program
    .command('projects')
    .description('Projects you are a member of.')
    .command('list')
    .description('List your projects.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const { items: projects } = await (await ctx.client()).call('listProjects');
      if (opts.json) return printJson(projects);
      if (projects.length === 0) return out('No projects.');
      process.stdout.write(table(['NAME', 'REPOSITORY', 'ENVIRONMENTS', 'LAST EXECUTION', 'ROLE'], projects.map((p) => [p.name, p.repository_url, p.environment_count, p.last_execution_status, p.role])));
    });

  program
    .command('environments')
    .description('The environments of a project.')
    .command('list')
    .description('List the environments of a project, with their URLs (CRAFT_AI_ENVIRONMENT_URL).')
    .requiredOption('-p, --project <name>', 'the project')
    .option('--json', 'print JSON')
    .action(async (opts: { project: string; json?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const client = await ctx.client();
      const { items } = await client.call('listEnvironments', { params: { name: opts.project } });
      if (opts.json) return printJson(items);
      if (items.length === 0) return out(`No environments in ${opts.project}.`);
      process.stdout.write(table(['NAME', 'STATUS', 'URL', 'CREATED'], items.map((e) => [e.name, e.status, e.url, e.created_at])));
    });

  program
    .command('executions')
    .description('The executions of an environment.')
    .command('list')
    .description('List the executions of an environment, newest first.')
    .requiredOption('-p, --project <name>', 'the project')
    .requiredOption('-e, --environment <name>', 'the environment')
    .addOption(new Option('--status <status>', 'only executions with this status').choices(EXECUTION_STATUSES))
    .option('--pipeline <name>', 'only executions of this pipeline')
    .option('--limit <n>', 'at most n executions (1 to 1000)', limitNumber, 50)
    .option('--json', 'print JSON')
    .action(async (opts: { project: string; environment: string; status?: string; pipeline?: string; limit: number; json?: boolean }, command: Command) => {
      const ctx = ctxOf(command);
      const client = await ctx.client();
      const env = await ctx.environment(client, opts.project, opts.environment);
      const { items } = await client.call('listExecutions', {
        params: { slug: env.slug },
        query: { limit: opts.limit, status: opts.status as ExecutionStatus | undefined, pipeline_name: opts.pipeline },
      });
      if (opts.json) return printJson(items);
      if (items.length === 0) return out(`No executions in ${opts.project}/${opts.environment}${opts.status ? ` with status ${opts.status}` : ''}.`);
      process.stdout.write(table(['EXECUTION', 'STATUS', 'PIPELINE', 'DEPLOYMENT', 'CREATED', 'ENDED'], items.map((x) => [x.execution_id, x.status, x.pipeline_name, x.deployment_name, x.created_at, x.end_date])));
    });

  // ——— the SDK variables ———

  const sdkTarget = (command: Command) =>
    command.requiredOption('-p, --project <name>', 'the project').requiredOption('-e, --environment <name>', 'the environment');

  sdkTarget(
    program
      .command('exec')
      .description('Run a command with CRAFT_AI_ENVIRONMENT_URL, CRAFT_AI_SDK_TOKEN and CRAFT_AI_CONTROL_URL set from the keychain, so that CraftAiSdk() needs no argument: nothing printed, nothing written; exits with the command\'s exit code, passes signals on.')
      .usage('--project <name> --environment <name> -- <command> [args...]')
      .argument('<command...>', 'the command and its arguments, after --'),
  )
    .addHelpText('after', '\nPut -- before the command so that its own options are not read as craft\'s:\n  craft exec --project churn --environment prod -- python -u train.py --epochs 3')
    .action(async (words: string[], opts: { project: string; environment: string }, command: Command) => {
      const { command: cmd, args } = splitCommand(words, 'exec');
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const sdkToken = await ctx.token(record);
      const client = await ctx.client(record);
      const env = await ctx.environment(client, opts.project, opts.environment);
      const end = await runChild(cmd, args, { ...process.env, ...sdkVariables(env.url, sdkToken) });
      if (end.startError) err(`craft: ${end.startError}`);
      result.exitCode = end.code;
    });

  const envCommand = program.command('env').description('The SDK variables of an environment.');
  sdkTarget(envCommand.command('export').description('Print CRAFT_AI_ENVIRONMENT_URL, CRAFT_AI_SDK_TOKEN and CRAFT_AI_CONTROL_URL for an environment; the token is masked unless --reveal. With --out, set them in a .env file instead (mode 0600): its other lines are kept, and the changes to an existing file are shown and confirmed first.'))
    .addOption(new Option('--format <format>', 'shell (export lines) or dotenv (.env lines)').choices(['shell', 'dotenv']).default('shell'))
    .option('--reveal', 'print the token itself (it then ends up wherever you send the output)')
    .option('-o, --out <path>', 'set them in a .env file there (an absolute or ~/ path; readable by you only), holding the token; its other lines are kept')
    .option('-f, --force', 'with --out: change an existing file without asking')
    .option('--gitignore', 'with --out: add the file to its git repository\'s .gitignore')
    .action(async (opts: { project: string; environment: string; format: 'shell' | 'dotenv'; reveal?: boolean; out?: string; force?: boolean; gitignore?: boolean }, command: Command) => {
      if (opts.out !== undefined) {
        try {
          expandHome(opts.out, 'out'); // before any network: a relative path is a usage error
        } catch (error) {
          if (error instanceof AppError && error.code === 'validation') throw new UsageError(`--${error.message}`);
          throw error;
        }
      }
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const sdkToken = await ctx.token(record);
      const env = await ctx.environment(await ctx.client(record), opts.project, opts.environment);
      if (opts.out !== undefined) {
        if (!(await writeEnvFile(opts.out, { url: env.url, token: sdkToken }, `${opts.project}/${opts.environment}`, opts))) result.exitCode = EXIT.failure;
        return;
      }
      if (opts.format === 'shell') process.stdout.write(sdkExportLines(env.url, sdkToken, !!opts.reveal));
      else process.stdout.write(sdkDotEnvLines(env.url, sdkToken, !!opts.reveal));
      if (!opts.reveal) err('craft: the token is masked; --reveal prints it (or use `craft exec`, which needs no copy at all)');
    });

  // ——— deploy keys ———

  program
    .command('keygen')
    .description('Generate an RSA 4096 deploy key pair offline, as the desktop app does: PKCS#1 PEM private key (mode 0600) and PATH.pub; prints the fingerprint as ssh-keygen -lf does.')
    .requiredOption('-o, --out <path>', 'the private key file (an absolute path, e.g. "$PWD/deploy_key"); the public key goes to PATH.pub')
    .option('-f, --force', 'replace existing files')
    .option('--json', 'print JSON')
    .action(async (opts: { out: string; force?: boolean; json?: boolean }) => {
      const privatePath = opts.out;
      const publicPath = `${privatePath}.pub`;
      // Checked before the key is generated; the writer checks again.
      checkOut([privatePath, publicPath], !!opts.force, DEPLOY_KEY_EXAMPLE);
      // Loaded on use: node-forge and the workers are not needed by any other command.
      const { DeployKeys } = await import('../electron/services/deploy-keys/index.js');
      const keys = new DeployKeys();
      try {
        if (!opts.json) err(`Generating an RSA ${keys.bits} key pair…`);
        const { job_id } = keys.start();
        const job = await keys.wait(job_id);
        if (job.status !== 'done' || !job.key) throw job.error ? AppError.from(job.error) : new AppError('internal', `Key generation ${job.status}`);
        keys.exportPair(job.key.key_id, privatePath, publicPath, { overwrite: !!opts.force, field: 'out' });
        const line = fingerprintLine(job.key.bits, job.key.fingerprint, job.key.public_key.split(' ')[2]);
        if (opts.json) return printJson({ private_path: privatePath, public_path: publicPath, bits: job.key.bits, fingerprint: job.key.fingerprint, public_key: job.key.public_key });
        out(`Private key: ${privatePath} (mode 0600)\nPublic key:  ${publicPath}\n${line}`);
      } finally {
        await keys.dispose();
      }
    });

  const key = program.command('key').description('Deploy keys.');
  key
    .command('test')
    .description('Test that a deploy key reads a repository over SSH (the desktop\'s "Test access"): no agent and no other key take part.')
    .requiredOption('--repo <url>', 'the repository: git@host:owner/repo.git or ssh://git@host:port/owner/repo.git')
    .requiredOption('--key <path>', 'the private key file')
    .option('--accept-host-key <fingerprint>', 'trust an unknown host whose key has this SHA256 fingerprint (you checked it)')
    .option('--user <name>', 'SSH user instead of the one in the URL')
    .option('--json', 'print JSON')
    .action(async (opts: { repo: string; key: string; acceptHostKey?: string; user?: string; json?: boolean }, command: Command) => {
      const { testRepositoryAccess, parseRepositoryTarget } = await import('../common/repo-access.js');
      const { KnownHosts } = await import('../electron/services/known-hosts.js');
      const { importPrivateKeyText } = await import('../electron/services/deploy-keys/index.js');
      if (!parseRepositoryTarget(opts.repo)) throw new UsageError('--repo: must be an SSH URL such as git@github.com:owner/repo.git or ssh://git@host:2222/owner/repo.git');
      let text: string;
      try {
        text = readFileSync(opts.key, 'utf8');
      } catch (error) {
        throw new UsageError(`--key: cannot read ${opts.key} (${(error as NodeJS.ErrnoException).code ?? 'read failed'})`);
      }
      let pem: string;
      try {
        pem = importPrivateKeyText(text).pem;
      } catch (error) {
        if (error instanceof AppError && error.field === 'passphrase' && interactive()) pem = importPrivateKeyText(text, await promptHidden('Passphrase of the key', '--key')).pem;
        else throw error;
      }
      const ctx = ctxOf(command);
      const knownHosts = KnownHosts.load(ctx.dataDir);
      let access = await testRepositoryAccess({ url: opts.repo, privateKeyPem: pem, knownHosts, ...(opts.acceptHostKey ? { acceptHostFingerprint: opts.acceptHostKey } : {}), ...(opts.user ? { user: opts.user } : {}) });
      if (!access.ok && access.step === 'unknown_host_key' && access.host_fingerprint && !opts.json && interactive()) {
        err(access.message);
        if (await confirm(`Trust ${access.host} with key ${access.host_fingerprint}?`, '--accept-host-key'))
          access = await testRepositoryAccess({ url: opts.repo, privateKeyPem: pem, knownHosts, acceptHostFingerprint: access.host_fingerprint, ...(opts.user ? { user: opts.user } : {}) });
      }
      if (opts.json) printJson(access);
      else if (access.ok) out(`OK: this key reads ${opts.repo} (host ${access.host}, default branch ${access.default_branch ?? 'none'}, ${access.branch_count} branch${access.branch_count === 1 ? '' : 'es'})`);
      else err(`craft: ${access.message}${access.step === 'unknown_host_key' ? ' Pass --accept-host-key <fingerprint> once you checked it.' : ''}`);
      if (!access.ok) result.exitCode = access.step === 'unreachable' ? EXIT.offline : EXIT.failure;
    });

  // ——— recorded runs ———

  sdkTarget(
    program
      .command('run')
      .description('Run a command and record it as an execution on the platform: created, running, then succeeded or failed from its exit code (cancelled on Ctrl-C); each output line goes to the execution\'s logs with a timestamp. The command gets the SDK variables and CRAFT_AI_EXECUTION_ID.')
      .usage('--project <name> --environment <name> --pipeline <name> -- <command> [args...]')
      .requiredOption('--pipeline <name>', 'the pipeline name the execution is recorded under')
      .option('--input <name=value>', 'an input of the run, recorded with the execution (repeatable; the value is read as JSON when it is JSON, else as text)', inputOption)
      .argument('<command...>', 'the command and its arguments, after --'),
  )
    .addHelpText('after', '\nExits with the command\'s exit code. The execution id is printed on stderr.\n  craft run -p churn -e prod --pipeline train --input epochs=3 --input dataset=s3://acme/churn.csv -- python train.py')
    .action(async (words: string[], opts: { project: string; environment: string; pipeline: string; input?: RunInput[] }, command: Command) => {
      const { command: cmd, args } = splitCommand(words, 'run');
      const ctx = ctxOf(command);
      const record = ctx.connection();
      const sdkToken = await ctx.token(record);
      const client = await ctx.client(record);
      const env = await ctx.environment(client, opts.project, opts.environment);
      const run = await recordedRun({
        client,
        slug: env.slug,
        pipeline: opts.pipeline,
        inputs: opts.input ?? [],
        command: cmd,
        args,
        env: { ...process.env, ...sdkVariables(env.url, sdkToken) },
        onCreated: (execution) => err(`craft: execution ${execution.execution_id} recorded in ${opts.project}/${opts.environment}`),
      });
      if (run.end.startError) err(`craft: ${run.end.startError}`);
      if (run.error) err(`craft: ${run.error}`);
      else err(`craft: execution ${run.execution.execution_id} ${run.execution.status}`);
      result.exitCode = run.end.code;
    });

  // ——— completion ———

  program
    .command('completion')
    .description('Print the shell completion script: eval it, or save it where your shell loads completions.')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });

  // Every command's help ends with the exit codes (in short; `craft --help` has them in full).
  const leaves = (command: Command): Command[] => (command.commands.length === 0 ? [command] : command.commands.flatMap(leaves));
  for (const leaf of leaves(program))
    if (leaf.name() !== 'help') leaf.addHelpText('after', `\n${EXIT_CODES_SHORT}`);

  return program;
}

