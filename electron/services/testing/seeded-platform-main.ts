// Runs the real platform in its own process, seeded with executions (for bench/sync.ts).
// Usage: tsx seeded-platform-main.ts <executions>; prints {"url","token"} on one line once
// seeded and listening; stops on SIGTERM (and removes its data folder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPlatform } from '../../../platform/index.js';
import { seed } from '../../../platform/seed.js';

const executions = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'craft-bench-platform-'));
const platform = await buildPlatform({ dataDir: dir });
await seed(platform.context, { projects: 1, environments: 1, executions, log: (line) => process.stderr.write(`${line}\n`) });
await platform.app.listen({ host: '127.0.0.1', port: 0 });
const token = await platform.issueLocalAdminToken();
const port = (platform.app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, token })}\n`);
process.on('SIGTERM', () => {
  void platform.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
