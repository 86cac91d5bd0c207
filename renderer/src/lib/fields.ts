// Field validation with the domain schemas: the renderer shows the same rule the
// platform enforces, with the field's label in front ("Project name must contain …").
import type { z } from 'zod';
import type { AppError } from '../../../domain/errors.js';

/** The first rule a value breaks, as "<label> <rule>", or null when it passes. */
export function checkField(schema: z.ZodType, value: unknown, label: string, itemLabel?: string): string | null {
  const result = schema.safeParse(value);
  if (result.success) return null;
  const issue = result.error.issues[0]!;
  const index = issue.path.find((part) => typeof part === 'number');
  if (typeof index === 'number' && Array.isArray(value) && itemLabel) {
    return `${itemLabel} "${String(value[index])}" ${issue.message}`;
  }
  return `${label} ${issue.message}`;
}

/** Lines of a textarea, trimmed, blank lines dropped. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Words separated by spaces, commas or new lines. */
export function words(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter((word) => word !== '');
}

/** The base field an error names: "folders.1" → "folders". */
export function errorField(error: AppError): string | undefined {
  return error.field?.split('.')[0];
}

/** The rule part of "<field>: <rule>", for showing next to a field that has its own label. */
export function ruleOf(error: AppError): string {
  const message = error.message;
  if (error.field && message.startsWith(`${error.field}: `)) return message.slice(error.field.length + 2);
  const colon = message.indexOf(': ');
  if (colon > 0 && /^[\w.[\]]+$/.test(message.slice(0, colon))) return message.slice(colon + 2);
  return message;
}
