// Runs one sync in its own process, for the crash test (SIGKILL at any moment) and benchmarks.
// Usage: tsx sync-child.ts <cache file> <platform url> <sdk token> <connection id> [page size]
import { Cache } from '../cache.js';
import { PlatformClient } from '../platform-client.js';
import { syncConnection } from '../sync.js';

const [file, url, token, connectionId, pageSize] = process.argv.slice(2);
const cache = Cache.open(file!);
const client = new PlatformClient({ baseUrl: url!, getSdkToken: async () => token! });
const report = await syncConnection(cache, client, connectionId!, {
  pageSize: Number(pageSize ?? 1000),
  onProgress: (p) => process.stdout.write(`page ${p.pages} ${p.scope}\n`),
});
cache.close();
process.stdout.write(`done ${JSON.stringify(report)}\n`);
