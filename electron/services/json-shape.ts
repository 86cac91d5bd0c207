// A compiled yes/no check of JSON.parse output against a zod schema, for the typed client's answers:
// where it says yes, the schema's safeParse would succeed and give back the same values, so the
// parsed JSON is the answer as it is (no copy); where it says no, or the schema uses anything it does
// not know (a check, a default, a transform, a refinement), zod itself decides and gives its error —
// the same error, naming the same field. On a page of executions, zod builds a copy of every object and
// costs almost as much as JSON.parse; this check takes a tenth of zod's time and builds nothing.
//
// Only for what JSON.parse returns: no undefined, no functions, no cycles. The shapes it knows are
// the plain ones answers are made of: string, number, boolean, null, enum, literal, unknown, object
// (unknown keys: zod strips them, so they go to zod), array and record with unchecked keys, nullable,
// and optional as an object's property.
import type { z } from 'zod';

type Check = (value: unknown) => boolean;

interface Def {
  type: string;
  checks?: unknown[];
  shape?: Record<string, z.ZodType>;
  catchall?: unknown;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  entries?: Record<string, unknown>;
  values?: unknown[];
}

/** What a definition may hold and still be a plain shape (`error` only words the message). */
const PLAIN_DEF_KEYS = new Set(['type', 'error', 'checks', 'shape', 'catchall', 'element', 'keyType', 'valueType', 'innerType', 'entries', 'values']);

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const compiled = new WeakMap<z.ZodType, Check | null>();

/** The check of a schema, or null when zod must decide every answer itself. */
export function jsonShapeCheck(schema: z.ZodType): Check | null {
  if (!compiled.has(schema)) compiled.set(schema, compile(schema));
  return compiled.get(schema)!;
}

/** Generated as one function (as zod's own fast path is): straight-line tests, no call per field. */
function compile(schema: z.ZodType): Check | null {
  const constants: unknown[] = [];
  let names = 0;
  /** Code that is true when the value in variable `v` fits `schema`, or null. */
  const test = (schema: z.ZodType, v: string): string | null => {
    const def = defOf(schema);
    // Anything else in the definition (a format, a check, coerce…) may refuse or change a value: zod's.
    if (def.checks?.length || Object.keys(def).some((key) => !PLAIN_DEF_KEYS.has(key))) return null;
    switch (def.type) {
      case 'string':
        return `typeof ${v} === "string"`;
      case 'number':
        return `(typeof ${v} === "number" && Number.isFinite(${v}))`;
      case 'boolean':
        return `typeof ${v} === "boolean"`;
      case 'null':
        return `${v} === null`;
      case 'unknown':
      case 'any':
        return `${v} !== undefined`;
      case 'enum':
      case 'literal': {
        // The values as zod itself tells them (an enum of a TypeScript enum has no reverse names).
        const values = (schema as unknown as { _zod: { values?: Set<unknown> } })._zod.values;
        if (!(values instanceof Set)) return null;
        constants.push(new Set(values));
        return `c[${constants.length - 1}].has(${v})`;
      }
      case 'nullable': {
        const inner = test(def.innerType!, v);
        return inner && `(${v} === null || ${inner})`;
      }
      case 'array': {
        const i = `i${names++}`;
        const item = `e${names++}`;
        const element = test(def.element!, item);
        if (!element) return null;
        return `(Array.isArray(${v}) && ((${v}) => { for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${item} = ${v}[${i}]; if (!(${element})) return false; } return true; })(${v}))`;
      }
      case 'record': {
        const key = defOf(def.keyType!);
        const k = `k${names++}`;
        const value = `r${names++}`;
        const valueTest = test(def.valueType!, value);
        if (key.type !== 'string' || key.checks?.length || !valueTest) return null;
        // "__proto__" as a key: zod's copy may treat it apart, so zod answers.
        return `(typeof ${v} === "object" && ${v} !== null && !Array.isArray(${v}) && ((${v}) => { for (const ${k} in ${v}) { if (${k} === "__proto__") return false; const ${value} = ${v}[${k}]; if (!(${valueTest})) return false; } return true; })(${v}))`;
      }
      case 'object': {
        if (def.catchall !== undefined) return null;
        const lines: string[] = [];
        const present = `n${names++}`;
        for (const [key, field] of Object.entries(def.shape!)) {
          const f = `f${names++}`;
          const fieldDef = defOf(field);
          const optional = fieldDef.type === 'optional';
          const fieldTest = test(optional ? fieldDef.innerType! : field, f);
          if (!fieldTest) return null;
          lines.push(`const ${f} = ${v}[${JSON.stringify(key)}];`);
          lines.push(optional ? `if (${f} !== undefined) { if (!(${fieldTest})) return false; ${present}++; }` : `if (!(${fieldTest})) return false; ${present}++;`);
        }
        // A key the schema does not name: zod strips it (its answer is a copy without), so zod answers.
        // (JSON.parse makes own keys only: an inherited enumerable one counts too, and goes to zod.)
        const k = `k${names++}`;
        return `(typeof ${v} === "object" && ${v} !== null && !Array.isArray(${v}) && ((${v}) => { let ${present} = 0; ${lines.join(' ')} for (const ${k} in ${v}) ${present}--; return ${present} === 0; })(${v}))`;
      }
      default:
        return null;
    }
  };
  const body = test(schema, 'value');
  if (!body) return null;
  try {
    return new Function('c', `return (value) => ${body};`)(constants) as Check;
  } catch {
    return null; // code generation is not allowed here: zod decides
  }
}
