// Every route validates with the domain's zod schemas; a failure becomes
// {error:'validation', message:'<field>: <rule>', field} with HTTP 400.
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { AppError, validationError } from '../domain/errors.js';

export function toValidationError(error: z.ZodError, prefix?: string): AppError {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const field = [...issue.path.map(String), issue.keys[0]!].join('.');
    return new AppError('validation', `${field}: is not a known field`, field);
  }
  const base = validationError(error);
  if (prefix && !base.field) return new AppError('validation', `${prefix}: ${issue.message}`, prefix);
  return base;
}

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: toValidationError(result.error, LOCATION[httpPart ?? 'body'] ?? 'input') };
  };
};
