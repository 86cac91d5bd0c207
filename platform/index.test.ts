import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPlatform } from './index.js';

describe('startPlatform', () => {
  it('listens on 127.0.0.1, issues the local admin token, keeps data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'craft-start-'));
    try {
      const first = await startPlatform({ dataDir });
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = await first.issueLocalAdminToken();
      const refresh = await fetch(`${first.url}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
      expect(refresh.status).toBe(200);
      await first.close();
      const second = await startPlatform({ dataDir });
      const again = await fetch(`${second.url}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
      expect(again.status).toBe(200); // same database, same JWT secret, token still valid until regenerated
      const next = await second.issueLocalAdminToken();
      expect(next).not.toBe(token);
      const old = await fetch(`${second.url}/api/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh_token: token }) });
      expect(old.status).toBe(401);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
