// A small platform stand-in for sync tests and the sync benchmark: the feeds of
// electron/services/sync.ts over real HTTP (node:http), with mutations to play changes.
// Executions: GET /environments/{slug}/api/v1/executions?limit&(cursor|since) ->
// {items, next_cursor, changes_cursor}, ordered by change id, with the platform's semantics.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionRecord } from '../cache.js';

interface Change {
  id: number;
  kind: 'project' | 'environment' | 'deployment';
  key: string;
  project?: string;
  environment?: string;
  op: 'upsert' | 'delete';
}

export interface FeedServerOptions {
  projects: { name: string; environments: { name: string; executions: number; deployments?: string[] }[] }[];
  /** Steps per execution. */
  steps?: number;
  /** Answer 404 for deployments (a platform that does not offer them yet). */
  noDeployments?: boolean;
}

export interface FeedServer {
  url: string;
  token: string;
  requests: number;
  projects: Map<string, Record<string, unknown>>;
  environments: Map<string, Map<string, Record<string, unknown>>>;
  deployments: Map<string, Map<string, Record<string, unknown>>>;
  executions: Map<string, Map<string, ExecutionRecord>>;
  addExecutions(project: string, environment: string, count: number): void;
  updateExecution(project: string, environment: string, id: string, status: string): void;
  upsertProject(name: string): void;
  deleteProject(name: string): void;
  deleteEnvironment(project: string, environment: string): void;
  users: { id: string; name: string; email: string; role: string; created_at: string }[];
  close(): Promise<void>;
}

const envKey = (project: string, environment: string) => `${project}/${environment}`;

export async function startFeedServer(options: FeedServerOptions): Promise<FeedServer> {
  let changeId = 0;
  let execRev = 0;
  let serial = 0;
  const changes: Change[] = [];
  const projects = new Map<string, Record<string, unknown>>();
  const environments = new Map<string, Map<string, Record<string, unknown>>>();
  const deployments = new Map<string, Map<string, Record<string, unknown>>>();
  const executions = new Map<string, Map<string, ExecutionRecord>>();
  const execLog = new Map<string, { rev: number; id: string }[]>();
  const execRevOf = new Map<string, number>();
  const slugs = new Map<string, { project: string; environment: string }>();
  const steps = options.steps ?? 3;
  const stamp = '2026-01-01T00:00:00.000Z';
  let base: string;

  const record = (c: Omit<Change, 'id'>) => changes.push({ ...c, id: ++changeId });

  function project(name: string): Record<string, unknown> {
    return {
      name,
      python_version: '3.12',
      repository_url: `git@github.com:acme/${name}.git`,
      default_branch: '',
      folders: ['/'],
      requirements_path: '',
      system_dependencies: [],
      deploy_key_public: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ craft-mlops-deploy-key',
      deploy_key_fingerprint: 'SHA256:0000000000000000000000000000000000000000000',
      created_at: stamp,
      created_by: 'u1',
      updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, changeId)).toISOString(),
    };
  }

  function execution(p: string, e: string): ExecutionRecord {
    serial++;
    const created = new Date(Date.UTC(2026, 0, 1) + serial * 1000).toISOString();
    return {
      execution_id: `exec-${p}-${e}-${String(serial).padStart(7, '0')}`,
      status: 'succeeded',
      created_at: created,
      created_by: 'u1',
      end_date: created,
      pipeline_name: `pipeline-${serial % 7}`,
      deployment_name: serial % 3 === 0 ? 'nightly' : null,
      steps: Array.from({ length: steps }, (_, i) => ({
        name: `step-${i}`, status: 'succeeded', start_date: created, end_date: created,
        commit_id: null, repository_url: `git@github.com:acme/${p}.git`, repository_branch: 'main', requirements_path: 'requirements.txt', origin: 'git_repository',
      })),
      inputs: [{ pipeline_input_name: 'epochs', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: serial % 100 }],
      outputs: [{ pipeline_output_name: 'accuracy', data_type: 'number', mapping_type: 'run', mapping_value: {}, value: 0.9 }],
    };
  }

  function touchExecution(key: string, item: ExecutionRecord): void {
    executions.get(key)!.set(item.execution_id, item);
    const rev = ++execRev;
    execRevOf.set(item.execution_id, rev);
    execLog.get(key)!.push({ rev, id: item.execution_id });
  }

  const server: FeedServer = {
    url: '',
    token: 'sdk-feed-token-0123456789abcdef',
    requests: 0,
    projects,
    environments,
    deployments,
    executions,
    users: [
      { id: 'u1', name: 'Admin', email: 'admin@localhost', role: 'admin', created_at: stamp },
      { id: 'u2', name: 'Member', email: 'm@example.com', role: 'member', created_at: stamp },
    ],
    addExecutions(p, e, count) {
      const key = envKey(p, e);
      for (let i = 0; i < count; i++) touchExecution(key, execution(p, e));
    },
    updateExecution(p, e, id, status) {
      const key = envKey(p, e);
      const current = executions.get(key)!.get(id)!;
      touchExecution(key, { ...current, status });
    },
    upsertProject(name) {
      projects.set(name, project(name));
      if (!environments.has(name)) environments.set(name, new Map());
      record({ kind: 'project', key: name, op: 'upsert' });
    },
    deleteProject(name) {
      for (const env of [...(environments.get(name)?.keys() ?? [])]) server.deleteEnvironment(name, env);
      projects.delete(name);
      environments.delete(name);
      record({ kind: 'project', key: name, op: 'delete' });
    },
    deleteEnvironment(p, e) {
      const key = envKey(p, e);
      environments.get(p)?.delete(e);
      executions.delete(key);
      execLog.delete(key);
      deployments.delete(key);
      record({ kind: 'environment', key: e, project: p, op: 'delete' });
    },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };

  function addEnvironment(p: string, e: string, count: number, deploymentNames: string[]): void {
    const slug = `${p}-${e}`;
    slugs.set(slug, { project: p, environment: e });
    environments.get(p)!.set(e, {
      name: e,
      project_name: p,
      slug,
      url: '', // filled once the port is known
      status: 'ready',
      default_branch: null,
      folders: null,
      requirements_path: null,
      system_dependencies: null,
      created_at: stamp,
      created_by: 'u1',
      updated_at: stamp,
    });
    record({ kind: 'environment', key: e, project: p, op: 'upsert' });
    const key = envKey(p, e);
    executions.set(key, new Map());
    execLog.set(key, []);
    deployments.set(key, new Map(deploymentNames.map((d) => [d, { name: d, environment_name: e, pipeline_name: 'train', type: 'periodic', enabled: true, status: 'up', schedule: '0 3 * * *', created_at: stamp, created_by: 'u1', updated_at: stamp }])));
    for (const d of deploymentNames) record({ kind: 'deployment', key: d, project: p, environment: e, op: 'upsert' });
    server.addExecutions(p, e, count);
  }

  for (const p of options.projects) {
    server.upsertProject(p.name);
    for (const e of p.environments) addEnvironment(p.name, e.name, e.executions, e.deployments ?? []);
  }

  function feed(kind: Change['kind'], since: number | null, current: () => Record<string, unknown>[], lookup: (key: string) => Record<string, unknown> | undefined, scope: (c: Change) => boolean) {
    if (since === null) return { items: current(), deleted: [], cursor: String(changeId) };
    const last = new Map<string, Change>();
    let cursor = since;
    for (const c of changes) {
      if (c.id <= since || c.kind !== kind || !scope(c)) continue;
      last.delete(c.key);
      last.set(c.key, c);
      cursor = c.id;
    }
    const items: Record<string, unknown>[] = [];
    const deleted: string[] = [];
    for (const [key, c] of last) {
      if (c.op === 'delete') deleted.push(key);
      else {
        const item = lookup(key);
        if (item) items.push(item);
      }
    }
    return { items, deleted, cursor: String(cursor) };
  }

  const http: Server = createServer((req, res) => {
    server.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method === 'POST' && url.pathname === '/api/v1/auth/refresh') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if ((JSON.parse(body || '{}') as { refresh_token?: string }).refresh_token !== server.token) return send(401, { error: 'unauthorized', message: 'bad token' });
        const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
        send(200, { access_token: `eyJhbGciOiJIUzI1NiJ9.${payload}.x`, token_type: 'Bearer', expires_in: 3600 });
      });
      return;
    }
    if (!req.headers.authorization?.startsWith('Bearer eyJ')) return send(401, { error: 'unauthorized', message: 'no session' });
    const since = url.searchParams.has('since') ? Number(url.searchParams.get('since')) : null;
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /api/v1/projects
    if (parts.join('/') === 'api/v1/projects')
      return send(200, feed('project', since, () => [...projects.values()], (k) => projects.get(k), () => true));
    // /api/v1/projects/{p}/environments
    if (parts.length === 5 && parts[2] === 'projects' && parts[4] === 'environments') {
      const p = parts[3]!;
      if (!projects.has(p)) return send(404, { error: 'not_found', message: `No project named ${p}` });
      return send(200, feed('environment', since, () => [...environments.get(p)!.values()], (k) => environments.get(p)?.get(k), (c) => c.project === p));
    }
    // /api/v1/projects/{p}/environments/{e}/deployments
    if (parts.length === 7 && parts[6] === 'deployments') {
      if (options.noDeployments) return send(404, { error: 'not_found', message: 'no route' });
      const [p, e] = [parts[3]!, parts[5]!];
      const map = deployments.get(envKey(p, e));
      if (!map) return send(404, { error: 'not_found', message: 'no environment' });
      return send(200, feed('deployment', since, () => [...map.values()], (k) => map.get(k), (c) => c.project === p && c.environment === e));
    }
    // /environments/{slug}/api/v1/executions
    if (parts.length === 5 && parts[0] === 'environments' && parts[4] === 'executions') {
      const target = slugs.get(parts[1]!);
      const key = target && envKey(target.project, target.environment);
      const log = key ? execLog.get(key) : undefined;
      if (!key || !log) return send(404, { error: 'not_found', message: 'No environment' });
      const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 100));
      // As the platform: with since, changes after it (oldest first) and changes_cursor = the
      // page's last change; without, the list paged by cursor and changes_cursor = the newest change.
      const after = since ?? Number(url.searchParams.get('cursor') ?? 0);
      // Binary search the first log entry after `after`.
      let lo = 0;
      let hi = log.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (log[mid]!.rev <= after) lo = mid + 1;
        else hi = mid;
      }
      const items: ExecutionRecord[] = [];
      let lastRev = after;
      let i = lo;
      for (; i < log.length && items.length < limit; i++) {
        const entry = log[i]!;
        lastRev = entry.rev;
        if (execRevOf.get(entry.id) !== entry.rev) continue; // superseded by a later change
        items.push(executions.get(key)!.get(entry.id)!);
      }
      const more = i < log.length;
      return send(200, { items, next_cursor: more ? String(lastRev) : null, changes_cursor: String(since !== null ? lastRev : execRev) });
    }
    if (parts.join('/') === 'api/v1/users') return send(200, { items: server.users, deleted: [], cursor: String(changeId) });
    send(404, { error: 'not_found', message: 'no route' });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  // eslint-disable-next-line prefer-const -- set once listening, read by the handlers defined above
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  server.url = base;
  for (const [, envs] of environments) for (const env of envs.values()) env.url = `${base}/environments/${String(env.slug)}`;
  return server;
}
