// Runs the feed server in its own process (a platform stand-in for bench/sync.ts).
// Usage: tsx feed-server-main.ts <executions> [steps]; prints {"url","token"} on one line; stops on SIGTERM.
import { startFeedServer } from './feed-server.js';

const executions = Number(process.argv[2] ?? 100_000);
const steps = Number(process.argv[3] ?? 3);
const server = await startFeedServer({ projects: [{ name: 'bench', environments: [{ name: 'prod', executions }] }], steps, noDeployments: true });
process.stdout.write(`${JSON.stringify({ url: server.url, token: server.token })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
