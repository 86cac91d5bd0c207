import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executionPageSchema } from '../../domain/execution.js';
import { platformContract } from '../../domain/platform-contract.js';
import { jsonShapeCheck } from './json-shape.js';

const step = (name: string, status: string, end: string | null) => ({
  name,
  status,
  start_date: '2026-01-01T10:00:00.000Z',
  end_date: end,
  commit_id: null,
  repository_url: 'git@github.com:acme/churn.git',
  repository_branch: 'main',
  requirements_path: 'requirements.txt',
  origin: 'git_repository',
});

const page = () => ({
  items: [
    {
      execution_id: 'train-0001',
      status: 'succeeded',
      created_at: '2026-01-01T10:00:00.000Z',
      created_by: 'b3c1',
      end_date: '2026-01-01T10:05:00.000Z',
      pipeline_name: 'train',
      deployment_name: 'nightly',
      steps: [step('load', 'succeeded', '2026-01-01T10:01:00.000Z'), step('train', 'succeeded', '2026-01-01T10:05:00.000Z')],
      inputs: [{ pipeline_input_name: 'dataset', data_type: 'json', mapping_type: 'constant', mapping_value: { constant_value: { rows: [1, 2] } }, value: { rows: [1, 2] } }],
      outputs: [{ pipeline_output_name: 'score', data_type: 'number', mapping_type: 'run', mapping_value: {} }],
    },
    {
      execution_id: 'etl-0002',
      status: 'running',
      created_at: '2026-01-01T11:00:00.000Z',
      created_by: 'b3c1',
      end_date: null,
      pipeline_name: 'etl',
      deployment_name: null,
      steps: [step('etl', 'running', null)],
      inputs: [],
      outputs: [],
    },
  ],
  next_cursor: null,
  changes_cursor: 'c-42',
});

/** Every path to a value inside `value` (objects' keys, arrays' indexes), the root first. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const found = [at];
  if (Array.isArray(value)) value.forEach((item, i) => found.push(...paths(item, [...at, i])));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...at, key]));
  return found;
}

/** A copy of `value` with what is at `path` changed by `change` (the parent and the key; it may delete). */
function changed(value: unknown, path: (string | number)[], change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  if (path.length === 0) {
    const holder: Record<string, unknown> = { root: copy };
    change(holder, 'root');
    return holder.root;
  }
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path.at(-1)!);
  return copy;
}

const replacements: unknown[] = ['x', '', 0, 1.5, true, null, [], {}, ['x'], { x: 1 }, 'succeeded', 'bogus-status'];

/** The check says yes exactly where zod takes the value and gives back the same (no key stripped). */
function expectAgreement(schema: z.ZodType, value: unknown): void {
  const check = jsonShapeCheck(schema);
  expect(check).not.toBeNull();
  const zod = schema.safeParse(value);
  const same = zod.success && isDeepStrictEqual(zod.data, value);
  if (check!(value) !== same) throw new Error(`the check says ${check!(value)}, zod ${zod.success ? (same ? 'takes it as it is' : 'takes a copy') : 'refuses'}: ${JSON.stringify(value).slice(0, 300)}`);
}

describe('jsonShapeCheck', () => {
  it('takes a page of executions as it is, where zod gives the same values', () => {
    const answer = page();
    expect(jsonShapeCheck(executionPageSchema)!(answer)).toBe(true);
    expect(executionPageSchema.parse(answer)).toStrictEqual(answer);
  });

  it('agrees with zod on every value of a page changed, removed or given an unknown key', () => {
    const answer = page();
    let cases = 0;
    for (const path of paths(answer)) {
      for (const replacement of replacements) {
        expectAgreement(executionPageSchema, changed(answer, path, (parent, key) => (parent[key] = replacement)));
        cases++;
      }
      if (path.length > 0) expectAgreement(executionPageSchema, changed(answer, path, (parent, key) => (Array.isArray(parent) ? parent.splice(Number(key), 1) : delete parent[key])));
      expectAgreement(executionPageSchema, changed(answer, path, (parent, key) => {
        const target = parent[key];
        if (typeof target === 'object' && target !== null && !Array.isArray(target)) (target as Record<string, unknown>).unknown_key = 1;
      }));
    }
    expect(cases).toBeGreaterThan(800);
  });

  it('refuses what zod refuses in enums, literals, nullables, optionals, records and numbers', () => {
    const schema = z.object({ kind: z.enum(['a', 'b']), one: z.literal(1), maybe: z.string().nullable(), extra: z.number().optional(), tags: z.record(z.string(), z.boolean()) });
    for (const value of [
      { kind: 'a', one: 1, maybe: null, tags: {} },
      { kind: 'b', one: 1, maybe: 'x', extra: 2, tags: { x: true } },
      { kind: 'c', one: 1, maybe: null, tags: {} },
      { kind: 'a', one: 2, maybe: null, tags: {} },
      { kind: 'a', one: 1, tags: {} },
      { kind: 'a', one: 1, maybe: null, extra: null, tags: {} },
      { kind: 'a', one: 1, maybe: null, extra: Number.POSITIVE_INFINITY, tags: {} },
      { kind: 'a', one: 1, maybe: null, tags: { x: 'yes' } },
      { kind: 'a', one: 1, maybe: null, tags: [] },
      { kind: 'a', one: 1, maybe: null, tags: JSON.parse('{"__proto__": true}') as unknown },
      JSON.parse('{"kind":"a","one":1,"maybe":null,"tags":{},"__proto__":{"x":1}}') as unknown,
      [],
      null,
    ])
      expectAgreement(schema, value);
  });

  it('leaves to zod every schema with a check, a format, a default, a transform, a refinement or unknown keys of its own', () => {
    for (const schema of [
      z.string().min(1),
      z.int(),
      z.iso.datetime(),
      z.email(),
      z.coerce.string(),
      z.object({ a: z.string().default('x') }),
      z.object({ a: z.string() }).strict(),
      z.looseObject({ a: z.string() }),
      z.string().transform((s) => s.length),
      z.string().refine((s) => s !== 'x'),
      z.array(z.string()).max(3),
      z.union([z.string(), z.number()]),
    ])
      expect(jsonShapeCheck(schema as z.ZodType)).toBeNull();
  });

  it('compiles the answer the sync reads by the hundred thousand (a page of executions)', () => {
    expect(jsonShapeCheck(platformContract.listExecutions.responses[200]!)).not.toBeNull();
  });
});
