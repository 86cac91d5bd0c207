// The platform serves exactly the contract: every endpoint of domain/platform-contract.ts is a route,
// with who may call enforced as the table says, and no route lives outside the table (the SDK calls
// this platform does not provide are in the contract too, each a route answering a clean 404).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT_NAMES, NOT_PROVIDED_ROUTES, platformContract, type Access } from '../domain/platform-contract.js';
import { addUser, bearer, createTestPlatform, type TestPlatform } from './test-helpers.js';

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform();
});
afterAll(() => p?.dispose());

/** A path of the endpoint with made-up params, e.g. /api/v1/projects/x/environments/x. */
const concrete = (path: string) => path.replace(/:[a-z_]+/g, 'x');

describe('the platform contract', () => {
  it('is served whole: each endpoint is a route, and each route is an endpoint', () => {
    const served = new Set(p.routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`));
    const declared = new Set([
      ...ENDPOINT_NAMES.map((name) => `${platformContract[name].method} ${platformContract[name].path}`),
      ...NOT_PROVIDED_ROUTES.map((route) => `${route.method} ${route.path}`),
    ]);
    expect([...declared].filter((route) => !served.has(route))).toEqual([]);
    expect([...served].filter((route) => !declared.has(route))).toEqual([]);
  });

  it('lists every endpoint in the OpenAPI document by name, saying who may call', async () => {
    const doc = (await p.inject({ method: 'GET', url: platformContract.openApiDocument.path })).json();
    for (const name of ENDPOINT_NAMES) {
      const { method, path } = platformContract[name];
      const operation = doc.paths[path.replace(/:([a-z_]+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(operation?.operationId, `${method} ${path}`).toBe(name);
      expect(operation.description).toMatch(/Who may call: /);
    }
    for (const { method, path } of NOT_PROVIDED_ROUTES) {
      const operation = doc.paths[path.replace(/:([a-z_]+)/g, '{$1}').replace(/\*$/, '{*}')]?.[method.toLowerCase()];
      expect(operation?.tags, `${method} ${path}`).toEqual(['not provided']);
      expect(Object.keys(operation.responses)).toEqual(['404']);
    }
  });

  it('refuses callers the table does not allow, before the handler runs', async () => {
    const member = await addUser(p, { email: 'member@example.com' });
    const refusedAnonymously: Record<Access, number | null> = {
      anonymous: null,
      user: 401,
      admin: 401,
      'project:viewer': 401,
      'project:editor': 401,
      'project:owner': 401,
      'environment:viewer': 401,
      'environment:editor': 401,
    };
    for (const name of ENDPOINT_NAMES) {
      const { method, path, access } = platformContract[name];
      const expected = refusedAnonymously[access];
      if (expected === null) continue;
      const anonymous = await p.inject({ method, url: concrete(path), payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      // A body the schema refuses is a 400 before any access check; every other answer is 401.
      if (anonymous.statusCode !== 400) expect(anonymous.statusCode, `${name} anonymously`).toBe(expected);
      if (access === 'admin' && (method === 'GET' || method === 'DELETE')) {
        const asMember = await p.inject({ method, url: concrete(path), headers: bearer(member.access) });
        expect(asMember.statusCode, `${name} as a member`).toBe(403);
      }
    }
  });
});
