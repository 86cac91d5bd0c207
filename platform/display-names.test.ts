// Issue 10, item 8: a display name carries no control characters (NUL, line breaks…) and no
// text-direction controls (bidi overrides), which would spoof names in member lists: 400 naming
// the field and the rule, and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, bearer, createTestPlatform, DIALECTS, type TestPlatform } from './test-helpers.js';

const CONTROL = 'name: must not contain control characters (such as NUL, tabs or line breaks)';
const BIDI = 'name: must not contain text-direction controls (such as the right-to-left override U+202E)';

const spoofs: [string, string, string][] = [
  ['NUL', 'Mallory\u0000', CONTROL],
  ['a line break', 'Mallory\nadmin@example.com (owner)', CONTROL],
  ['a carriage return', 'Mallory\r', CONTROL],
  ['a right-to-left override', 'Mallory \u202Enimda', BIDI],
  ['a right-to-left isolate', 'Mallory \u2067nimda\u2069', BIDI],
  ['a right-to-left mark', 'Mallory\u200F', BIDI],
];

describe.each(DIALECTS)('display names on $label', ({ dialect, skip }) => {
  let p: TestPlatform;
  let member: { id: string; access: string };

  beforeAll(async () => {
    if (skip) return;
    p = await createTestPlatform({ dialect });
    member = await addUser(p, { email: 'member@example.com', name: 'Mallory' });
  });
  afterAll(async () => {
    await p?.dispose();
  });

  it.skipIf(skip).each(spoofs)('a name with %s is refused when a user is added, renamed or asks for access, naming the rule', async (_what, name, message) => {
    const users = async () => JSON.stringify(await p.context.db.selectFrom('users').selectAll().orderBy('id').execute());
    const before = await users();
    const created = await p.inject({ method: 'POST', url: '/api/v1/users', headers: bearer(p.adminAccess), payload: { name, email: 'spoof@example.com' } });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toEqual({ error: 'validation', field: 'name', message });
    const renamed = await p.inject({ method: 'PATCH', url: `/api/v1/users/${member.id}`, headers: bearer(p.adminAccess), payload: { name } });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json()).toEqual({ error: 'validation', field: 'name', message });
    expect(await users()).toBe(before);
    const asked = await p.inject({ method: 'POST', url: '/api/v1/access-requests', payload: { email: 'someone@example.com', name } });
    expect(asked.statusCode).toBe(400);
    expect(asked.json()).toMatchObject({ error: 'validation', field: 'name' });
  });

  it.skipIf(skip)('names in any script, with accents, spaces and emoji, are still welcome', async () => {
    for (const name of ['Zoë Ångström', 'محمد علي', '李小龍', 'Ada 🚀 Lovelace']) {
      const renamed = await p.inject({ method: 'PATCH', url: `/api/v1/users/${member.id}`, headers: bearer(p.adminAccess), payload: { name } });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().name).toBe(name);
    }
  });
});
