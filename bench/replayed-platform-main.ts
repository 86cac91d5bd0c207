// Stands in for a platform on another host, for bench/sync.ts: it forwards each request to the real
// platform and keeps the answer (recording), then, once told, answers every request it has kept from
// memory (replaying), at the cost of sending bytes. A sync from it measures the sync's own work, with
// the platform's CPU off this machine's two cores.
// Usage: tsx replayed-platform-main.ts <platform URL>; prints {"url"} on one line once listening;
// POST /__replay switches to replaying; a request never recorded is answered 502.
import http from 'node:http';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: replayed-platform-main.ts <platform URL>');

interface Kept {
  status: number;
  contentType: string;
  body: Buffer;
}
const kept = new Map<string, Kept>();
let replaying = false;

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: http.ServerResponse, answer: Kept): void {
  response.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
  response.end(answer.body);
}

const server = http.createServer((request, response) => {
  void (async () => {
    const body = await readBody(request);
    if (request.method === 'POST' && request.url === '/__replay') {
      replaying = true;
      send(response, { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify({ kept: kept.size })) });
      return;
    }
    const key = `${request.method} ${request.url} ${body.toString('utf8')}`;
    if (replaying) {
      send(response, kept.get(key) ?? { status: 502, contentType: 'application/json', body: Buffer.from(JSON.stringify({ message: `not recorded: ${request.method} ${request.url}` })) });
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'authorization', 'content-type']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const forwarded = await fetch(`${upstream}${request.url}`, { method: request.method!, headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
    const answer: Kept = { status: forwarded.status, contentType: forwarded.headers.get('content-type') ?? 'application/json', body: Buffer.from(await forwarded.arrayBuffer()) };
    kept.set(key, answer);
    send(response, answer);
  })().catch((error: unknown) => {
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: String(error) }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
