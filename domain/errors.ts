// One error shape for every wall: the platform's JSON errors, the app API's envelope,
// the CLI's stderr. `field` names the input field at fault, `message` says the rule.
import { z } from 'zod';

export const ERROR_CODES = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'offline',
  'keychain_unavailable',
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const apiErrorSchema = z.object({
  error: z.enum(ERROR_CODES),
  message: z.string(),
  field: z.string().optional(),
  /** The environment API's errors, for the Python SDK: it shows "[name] message" and then the request id. */
  name: z.string().optional(),
  request_id: z.string().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.field = field;
  }
  toJSON(): ApiError {
    return this.field === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, field: this.field };
  }
  static from(value: ApiError): AppError {
    return new AppError(value.error, value.message, value.field);
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  offline: 503,
  keychain_unavailable: 503,
  cancelled: 499,
  internal: 500,
};

/**
 * The error code of an HTTP status when the answer does not say it (a proxy's page, a framework's own
 * error): the inverse of HTTP_STATUS, plus what gateways answer for a platform they cannot reach.
 */
export function errorCodeOfStatus(status: number): ErrorCode | undefined {
  if (status === 422) return 'validation';
  if (status === 502 || status === 504) return 'offline';
  return (Object.keys(HTTP_STATUS) as ErrorCode[]).find((code) => HTTP_STATUS[code] === status && code !== 'keychain_unavailable');
}
/** The name the Python SDK shows in brackets for each error code ("[NotFound] …"). */
export const SDK_ERROR_NAMES: Record<ErrorCode, string> = {
  validation: 'BadRequest',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'NotFound',
  conflict: 'Conflict',
  rate_limited: 'TooManyRequests',
  offline: 'Unavailable',
  keychain_unavailable: 'Unavailable',
  cancelled: 'Cancelled',
  internal: 'InternalError',
};

/** Turns a zod failure into the error users see: "<field>: <rule>" for the first issue. */
export function validationError(error: z.ZodError): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || undefined;
  const label = field ?? 'input';
  return new AppError('validation', `${label}: ${issue.message}`, field);
}

/** Parses or throws an AppError('validation') naming the field and the rule. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(result.error);
  return result.data;
}
