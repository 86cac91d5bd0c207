// The project's real platform for the sync's tests and benchmark: SQLite in its own folder,
// listening on 127.0.0.1, the local admin's SDK token, and a fast way to fill it — executions
// go straight into the database as platform/seed.ts writes them (18,000 through HTTP one by one
// would take minutes); everything else goes through the platform's API.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../../domain/environment.js';
import type { Execution } from '../../../domain/execution.js';
import { buildPlatform, ensureLocalAdmin, type BuiltPlatform } from '../../../platform/index.js';
import { insertExecutions } from '../../../platform/seed.js';
import { PlatformClient } from '../platform-client.js';

export interface TestPlatform {
  url: string;
  /** The local admin's SDK token. */
  token: string;
  /** Signed in as the local admin. */
  client: PlatformClient;
  platform: BuiltPlatform;
  /** Requests the platform has received so far (to wait until a sync is under way). */
  readonly requests: number;
  /** A project with its environments, their deployments and (in bulk) executions. */
  addProject(name: string, environments?: { name: string; executions?: number; deployments?: string[] }[]): Promise<void>;
  addEnvironment(project: string, name: string, executions?: number, deployments?: string[]): Promise<Environment>;
  /** `count` new executions in an environment, newer than those before. */
  addExecutions(project: string, environment: string, count: number): Promise<void>;
  /** Every execution of an environment, as the platform lists them. */
  executions(project: string, environment: string): Promise<Execution[]>;
  environment(project: string, environment: string): Promise<Environment>;
  close(): Promise<void>;
}

let sharedKey: string | undefined;
/** One deploy key for every test project (generating one each would only slow the tests down). */
export function testDeployKey(): string {
  sharedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return sharedKey;
}

export async function startTestPlatform(): Promise<TestPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'craft-test-platform-'));
  const platform = await buildPlatform({ dataDir: dir });
  let requests = 0;
  platform.app.addHook('onRequest', async () => {
    requests++;
  });
  await platform.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(platform.app.server.address() as { port: number }).port}`;
  const token = await platform.issueLocalAdminToken();
  const adminId = await ensureLocalAdmin(platform.context);
  const client = new PlatformClient({ baseUrl: url, getSdkToken: async () => token, timeoutMs: 30_000 });
  const db = platform.context.db;
  // Executions are numbered across calls (unique ids) and dated one a minute, newest last.
  let numbered = 0;
  let clock = Date.now() - 90 * 86400_000;

  const self: TestPlatform = {
    url,
    token,
    client,
    platform,
    get requests() {
      return requests;
    },
    async addProject(name, environments = []) {
      await client.call('createProject', { body: { name, python_version: '3.12', repository_url: `git@github.com:acme/${name}.git`, deploy_key: testDeployKey() } });
      for (const env of environments) await self.addEnvironment(name, env.name, env.executions, env.deployments);
    },
    async addEnvironment(project, name, executions = 0, deployments = []) {
      const env = await client.call('createEnvironment', { params: { name: project }, body: { name } });
      for (const deployment of deployments)
        await client.call('createDeployment', { params: { name: project, env: name }, body: { name: deployment, pipeline_name: 'train', type: 'periodic', schedule: '0 3 * * *' } });
      if (executions > 0) await self.addExecutions(project, name, executions);
      return env;
    },
    async addExecutions(project, environment, count) {
      const env = await db
        .selectFrom('environments')
        .innerJoin('projects', 'projects.id', 'environments.project_id')
        .select('environments.id')
        .where('projects.name', '=', project)
        .where('environments.name', '=', environment)
        .executeTakeFirstOrThrow();
      await insertExecutions(platform.context, [{ id: env.id, project }], count, [{ id: adminId }], { start: clock, first: numbered });
      numbered += count;
      clock += count * 60_000;
    },
    async executions(project, environment) {
      const { slug } = await self.environment(project, environment);
      const all: Execution[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Execution[]; next_cursor: string | null } = await client.call('listExecutions', { params: { slug }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } });
        all.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return all;
    },
    environment: (project, environment) => client.call('getEnvironment', { params: { name: project, env: environment } }),
    async close() {
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
