// The client's HTTP exchange against a real local server doing what a platform, a proxy or a broken
// network does: answers in many pieces, stalls halfway, redirects, hangs up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpExchange, HttpExchangeError } from './http-exchange.js';

let server: Server;
let base: string;
const requests: { method: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, headers: req.headers, body });
      if (req.url === '/pieces') {
        // "é" and "𝄞" cut between their bytes, one byte a write.
        const bytes = Buffer.from('{"name":"café 𝄞"}');
        res.writeHead(200, { 'content-type': 'application/json' });
        let i = 0;
        const next = () => (i < bytes.length ? res.write(bytes.subarray(i, ++i), () => setImmediate(next)) : res.end());
        next();
      } else if (req.url === '/stalls') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"items":['); // and never the rest
      } else if (req.url === '/hangs-up') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"items":[', () => res.destroy());
      } else if (req.url === '/moved') {
        res.writeHead(301, { location: 'http://127.0.0.1:1/elsewhere' });
        res.end();
      } else if (req.url === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ got: body }));
      }
      // /silent: never answers.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function refusal(path: string, timeoutMs = 300): Promise<HttpExchangeError> {
  const error = await httpExchange(new URL(`${base}${path}`), { method: 'GET', headers: {}, timeoutMs }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpExchangeError);
  return error as HttpExchangeError;
}

describe('httpExchange', () => {
  it('gives the whole answer of many pieces, with characters cut between pieces intact once decoded', async () => {
    const answer = await httpExchange(new URL(`${base}/pieces`), { method: 'GET', headers: {}, timeoutMs: 5000 });
    expect(answer.status).toBe(200);
    expect(new TextDecoder().decode(answer.bytes)).toBe('{"name":"café 𝄞"}');
  });

  it('sends the method, headers and body, its length counted in bytes', async () => {
    const answer = await httpExchange(new URL(`${base}/echo`), { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body: '{"é":1}', timeoutMs: 5000 });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.bytes.toString('utf8'))).toEqual({ got: '{"é":1}' });
    const seen = requests.at(-1)!;
    expect(seen).toMatchObject({ method: 'POST', body: '{"é":1}' });
    expect(seen.headers).toMatchObject({ 'content-length': '8', authorization: 'Bearer t' });
  });

  it('ends at the deadline when the server says nothing, or stops halfway through the body', async () => {
    for (const path of ['/silent', '/stalls']) {
      const started = performance.now();
      const error = await refusal(path, 300);
      expect(error.code).toBe('TIMEOUT');
      expect(error.message).toBe('no answer within the time limit');
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    }
  });

  it('says the connection was reset when the server hangs up in the middle of the body', async () => {
    expect((await refusal('/hangs-up', 5000)).code).toBe('ECONNRESET');
  });

  it('refuses a redirect instead of following it to another address', async () => {
    const before = requests.length;
    const error = await refusal('/moved', 5000);
    expect(error.code).toBe('REDIRECT');
    expect(error.message).toBe("a redirect (HTTP 301) was refused: give the platform's own address");
    expect(requests.length).toBe(before + 1);
  });

  it('names what is not HTTP', async () => {
    await expect(httpExchange(new URL('ftp://127.0.0.1/x'), { method: 'GET', headers: {}, timeoutMs: 100 })).rejects.toMatchObject({ code: 'PROTOCOL' });
  });
});
