// One HTTP request and its whole answer, on Node's own http/https (what the typed client sends).
// Not fetch: on 1 MB answers (a page of executions) undici's fetch cost 2–3× the CPU of http.request
// (bench/sync.ts measures the sync that reads them). The deadline covers the answer's body too, a
// redirect is refused (the address must be the platform's own), and connections are kept alive.
import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  /** The body as received (no content-coding is asked for, so none is applied). */
  bytes: Buffer;
}

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** From the request's start to its answer's last byte. */
  timeoutMs: number;
}

/** A failure before a whole answer came: `code` as Node names it (ECONNREFUSED…), or TIMEOUT / REDIRECT. */
export class HttpExchangeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpExchangeError';
  }
}

// As Node's own global agents: an idle connection is closed after 5 s (before a server's own keep-alive
// timeout, so that a request never goes out on a connection the server is closing).
const kept = { keepAlive: true, scheduling: 'lifo', timeout: 5000 } as const;
const agents = { 'http:': new http.Agent(kept), 'https:': new https.Agent(kept) };

export function httpExchange(url: URL, request: HttpRequest): Promise<HttpAnswer> {
  const protocol = url.protocol as keyof typeof agents;
  if (!(protocol in agents)) return Promise.reject(new HttpExchangeError('PROTOCOL', `${url.protocol} is not HTTP`));
  const send = protocol === 'https:' ? https.request : http.request;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const headers = { ...request.headers, ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(request.body)) } : {}) };
    const outgoing = send(url, { method: request.method, headers, agent: agents[protocol] });
    let settled = false;
    const deadline = setTimeout(() => refuse('TIMEOUT', 'no answer within the time limit'), request.timeoutMs);
    const settle = (answer: HttpAnswer | Error) => {
      if (settled) return; // what the socket says after we cut it changes nothing
      settled = true;
      clearTimeout(deadline);
      if (!(answer instanceof Error)) resolve(answer);
      else reject(answer instanceof HttpExchangeError ? answer : new HttpExchangeError((answer as NodeJS.ErrnoException).code ?? 'NETWORK', answer.message));
    };
    /** Ends the exchange with our reason, then closes its connection. */
    const refuse = (code: string, message: string) => {
      settle(new HttpExchangeError(code, message));
      outgoing.destroy();
    };
    const cut = () => settle(new HttpExchangeError('ECONNRESET', 'the connection was reset'));
    outgoing.on('error', settle);
    let answered = false;
    outgoing.on('close', () => {
      if (!answered) cut(); // closed before any answer came (the answer's own close is watched below)
    });
    outgoing.on('response', (incoming) => {
      answered = true;
      const status = incoming.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        refuse('REDIRECT', `a redirect (HTTP ${status}) was refused: give the platform's own address`);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      incoming.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
      });
      incoming.on('error', settle);
      incoming.on('end', () => settle({ status, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) }));
      incoming.on('close', () => {
        if (!incoming.complete) cut();
      });
    });
    outgoing.end(request.body);
  });
}
