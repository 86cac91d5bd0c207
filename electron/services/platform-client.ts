// The one typed client of the platform, built from the platform contract (domain/platform-contract.ts):
// `call(name, {params, query, body})` fills the endpoint's path, sends, and parses the answer with the
// endpoint's schema — a wrong answer is a clear error naming the endpoint and the field. Serves the
// desktop (app-api, sync) and `craft` alike.
// The SDK token (from the vault) is exchanged at the contract's `refresh` endpoint for a short-lived
// access token kept in memory only. Errors: the platform's JSON {error, message, field?} becomes an
// AppError with the same code, message and field; a network failure becomes AppError('offline'). No
// token is ever put into an error.
import type { z } from 'zod';
import { AppError, apiErrorSchema, ERROR_CODES, errorCodeOfStatus, type ErrorCode } from '../../domain/errors.js';
import {
  endpointPath,
  endpointQuery,
  platformContract,
  type EndpointDefinition,
  type EndpointInput,
  type EndpointName,
  type EndpointOutput,
} from '../../domain/platform-contract.js';
import { httpExchange, HttpExchangeError, type HttpAnswer } from './http-exchange.js';
import { jsonShapeCheck } from './json-shape.js';

export interface PlatformClientOptions {
  baseUrl: string;
  getSdkToken: () => Promise<string | null>;
  /** Per-request timeout; default 5 s. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** An access token obtained elsewhere (a password sign-in) instead of the SDK token's. */
  accessToken?: string;
}

/** The arguments of `call`: the input may be left out when the endpoint needs none. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- {} is exactly "nothing required"
export type CallArgs<N extends EndpointName> = {} extends EndpointInput<N>
  ? [input?: EndpointInput<N>, options?: CallOptions]
  : [input: EndpointInput<N>, options?: CallOptions];

const REFRESH_MARGIN_MS = 30_000;

/** The platform refuses the stored SDK token: it was regenerated elsewhere, revoked, or a password reset ended it. */
export const SDK_TOKEN_REFUSED =
  'The SDK token of this connection no longer works (a password reset, a sign-out or a new token elsewhere ended it): sign in again to get a new one';

function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Node's (OpenSSL's) codes for a certificate refused: self-signed, an unknown issuer, expired, another host's. */
const TLS_TRUST_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)/;

function describeNetworkError(error: unknown): string {
  const code = error instanceof HttpExchangeError ? error.code : undefined;
  if (code === 'TIMEOUT' || code === 'REDIRECT') return (error as Error).message;
  if (code === 'ECONNREFUSED') return 'connection refused (is it running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name could not be resolved';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset';
  if (code === 'ETIMEDOUT') return 'the connection timed out';
  if (code && TLS_TRUST_CODES.test(code)) return `its certificate is not trusted by this computer (${code})`;
  if (code && code !== 'NETWORK') return code;
  return ((error as Error | undefined)?.message ?? 'network error').slice(0, 120);
}

/** The JSON text each parsed answer came from, and its bytes as received (weakly held: they go with the answer). */
const answerTexts = new WeakMap<object, { text: string; bytes: Uint8Array }>();
/** As a browser decodes a JSON answer (UTF-8, a byte order mark dropped, a malformed sequence as U+FFFD). */
const utf8 = new TextDecoder();

/**
 * The JSON text the platform sent for an answer `call` returned (already parsed and checked by the
 * contract's schema), for a caller that stores what it received as it came (the cache's sync) instead
 * of encoding the parsed objects again; undefined for an answer that did not come from `call`.
 */
export function answerText(answer: unknown): string | undefined {
  return typeof answer === 'object' && answer !== null ? answerTexts.get(answer)?.text : undefined;
}

/** The bytes that answer's text was decoded from, as they came (the cache's sync hands them to its writer's thread instead of the text). */
export function answerBytes(answer: unknown): Uint8Array | undefined {
  return typeof answer === 'object' && answer !== null ? answerTexts.get(answer)?.bytes : undefined;
}

/** An answer as it came (`receive`), parsed on demand. */
export interface ReceivedAnswer<N extends EndpointName> {
  /** The answer's text as sent (empty when it had none). */
  readonly text: string;
  /** The answer checked by the endpoint's schema (as `call` returns it); throws the platform's error as an AppError. */
  parse(): EndpointOutput<N>;
}

export class PlatformClient {
  readonly baseUrl: string;
  private readonly getSdkToken: () => Promise<string | null>;
  private readonly timeoutMs: number;
  private accessToken: string | null = null;
  private accessExpiresAt = 0;
  private pendingExchange: Promise<string> | null = null;

  constructor(options: PlatformClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.getSdkToken = options.getSdkToken;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  /** Forgets the access token (after a token change or sign-out). */
  reset(): void {
    this.accessToken = null;
    this.accessExpiresAt = 0;
  }

  /** Calls one endpoint of the platform contract and returns its parsed answer. */
  async call<N extends EndpointName>(name: N, ...args: CallArgs<N>): Promise<EndpointOutput<N>> {
    return (await this.receive(name, ...args)).parse();
  }

  /**
   * Calls one endpoint and reads its answer, leaving the parsing for later: a caller that pages
   * (the cache's sync) asks for the next page, read from this answer's text, before it decodes this one.
   * parse() gives exactly what `call` gives (the answer checked by the endpoint's schema, or its error).
   */
  async receive<N extends EndpointName>(name: N, ...[input, options]: CallArgs<N>): Promise<ReceivedAnswer<N>> {
    const definition: EndpointDefinition = platformContract[name];
    const parts = (input ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const path = endpointPath(definition, parts.params) + endpointQuery(parts.query);
    const body = parts.body ?? (definition.body || definition.method === 'POST' ? {} : undefined);
    let response: HttpAnswer;
    if (options?.accessToken || definition.access === 'anonymous') {
      response = await this.send(definition.method, path, body, options?.accessToken ?? null);
    } else {
      response = await this.send(definition.method, path, body, await this.access(false));
      if (response.status === 401) {
        // The platform forgot the session (restart, revocation): exchange the SDK token again, once.
        this.reset();
        response = await this.send(definition.method, path, body, await this.access(true));
      }
    }
    const { status, bytes } = response;
    const text = utf8.decode(bytes);
    return { text, parse: () => this.answer(name, definition, status, text, bytes) as EndpointOutput<N> };
  }

  private async send(method: string, path: string, body: unknown, bearer: string | null): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    try {
      return await httpExchange(new URL(`${this.baseUrl}${path}`), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: this.timeoutMs });
    } catch (error) {
      throw new AppError('offline', `The platform at ${this.baseUrl} is unreachable: ${describeNetworkError(error)}`);
    }
  }

  /** The answer parsed by the endpoint's schema for its status, or the platform's error as an AppError. */
  private answer(name: EndpointName, definition: EndpointDefinition, status: number, text: string, bytes: Uint8Array): unknown {
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    const where = `${name} (${definition.method} ${definition.path})`;
    if (status >= 200 && status < 300) {
      const schema: z.ZodType | undefined = definition.responses[status];
      if (!schema) throw new AppError('internal', `The platform's answer to ${where} is HTTP ${status}, which this app does not know: is the platform of another version?`);
      if (data === undefined) throw new AppError('internal', `The platform's answer to ${where} is not JSON (HTTP ${status})`);
      // The answer as parsed where the compiled check says the schema takes it as it is; else zod's
      // copy, or zod's error (json-shape.ts: the same answer, in a tenth of zod's time on executions).
      if (jsonShapeCheck(schema)?.(data)) {
        if (typeof data === 'object' && data !== null) answerTexts.set(data, { text, bytes });
        return data;
      }
      const parsed = schema.safeParse(data);
      if (parsed.success) {
        if (typeof parsed.data === 'object' && parsed.data !== null) answerTexts.set(parsed.data, { text, bytes });
        return parsed.data;
      }
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'answer';
      throw new AppError('internal', `The platform's answer to ${where} is not as this app expects: ${field}: ${issue.message}`);
    }
    const parsed = apiErrorSchema.safeParse(data);
    if (parsed.success) throw AppError.from(parsed.data);
    const loose = data as { error?: unknown; message?: unknown; field?: unknown } | undefined;
    const code: ErrorCode =
      typeof loose?.error === 'string' && (ERROR_CODES as readonly string[]).includes(loose.error) ? (loose.error as ErrorCode) : (errorCodeOfStatus(status) ?? 'internal');
    const message = typeof loose?.message === 'string' ? loose.message : `The platform answered HTTP ${status} to ${where}`;
    throw new AppError(code, message, typeof loose?.field === 'string' ? loose.field : undefined);
  }

  private async exchange(): Promise<string> {
    const sdkToken = await this.getSdkToken();
    if (!sdkToken) throw new AppError('unauthorized', 'Not signed in to this platform: no SDK token is stored for it');
    let answer: EndpointOutput<'refresh'>;
    try {
      answer = await this.call('refresh', { body: { refresh_token: sdkToken } });
    } catch (error) {
      if (error instanceof AppError && error.code === 'unauthorized') throw new AppError('unauthorized', SDK_TOKEN_REFUSED, 'sdk_token');
      throw error;
    }
    this.accessToken = answer.access_token;
    this.accessExpiresAt = jwtExpiry(answer.access_token) ?? Date.now() + 60_000;
    return answer.access_token;
  }

  private async access(fresh: boolean): Promise<string> {
    if (!fresh && this.accessToken && Date.now() < this.accessExpiresAt - REFRESH_MARGIN_MS) return this.accessToken;
    if (!this.pendingExchange) {
      this.pendingExchange = this.exchange().finally(() => {
        this.pendingExchange = null;
      });
    }
    return this.pendingExchange;
  }

  /**
   * Signs this SDK client out on the platform: the SDK token is refused from the very next
   * request, with every session opened with it. A token the platform no longer knows has
   * nothing left to revoke. Throws AppError('offline') when the platform is unreachable.
   */
  async revokeSdkToken(): Promise<void> {
    try {
      await this.call('revokeSdkToken');
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unauthorized')) throw error;
    } finally {
      this.reset();
    }
  }

  /** A new SDK token; the old one is refused from now on, so the next call exchanges the new one. */
  async regenerateSdkToken(): Promise<string> {
    const { sdk_token } = await this.call('regenerateSdkToken');
    this.reset();
    return sdk_token;
  }

  /**
   * Revokes this client's session on the platform (the contract's `logout` with the current access
   * token), then forgets it locally. Without an access token in hand there is no session of ours to
   * revoke. Throws AppError('offline') when the platform is unreachable (the caller still forgets the
   * token locally).
   */
  async logout(): Promise<boolean> {
    const token = this.accessToken && Date.now() < this.accessExpiresAt ? this.accessToken : null;
    this.reset();
    if (!token) return false;
    try {
      await this.call('logout', undefined, { accessToken: token });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'unauthorized')) throw error; // already gone
    }
    return true;
  }
}

/**
 * Checks that a URL answers as a platform (its liveness probe, parsed by the contract's schema)
 * before a connection to it is saved: AppError('validation', field 'url') saying what answered instead.
 */
export async function checkAnswersAsPlatform(baseUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new PlatformClient({ baseUrl, getSdkToken: async () => null, timeoutMs });
  try {
    await client.call('health');
  } catch (error) {
    const reason = error instanceof AppError ? error.message : String(error);
    if (error instanceof AppError && error.code === 'offline') {
      const why = reason.replace(/^The platform at \S+ is unreachable: /, '');
      throw new AppError('validation', `url: does not answer (${why}): check the address, and that the platform runs`, 'url');
    }
    const probe = `${platformContract.health.method} ${platformContract.health.path}`;
    const what = error instanceof AppError && error.code === 'internal' ? `${probe} gave something else than the platform's answer` : `${probe}: ${reason.replace(/\.$/, '')}`;
    throw new AppError('validation', `url: answers, but not as a Craft MLOps platform (${what}): check the address, the platform's own and not one of its pages`, 'url');
  }
}
