import { describe, expect, it } from 'vitest';
import { describeDotEnvChanges, dotEnvQuote, mergeDotEnv, shellQuote } from './dotenv.js';

const values = { CRAFT_AI_ENVIRONMENT_URL: 'http://127.0.0.1:5/environments/dev', CRAFT_AI_SDK_TOKEN: 'tok_new', CRAFT_AI_CONTROL_URL: 'http://127.0.0.1:5' };

describe('shell and .env quoting', () => {
  it('leaves plain values bare and quotes the rest so that a shell or a dotenv reader gets them back as they are', () => {
    expect(shellQuote('http://127.0.0.1:5/environments/dev')).toBe('http://127.0.0.1:5/environments/dev');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellQuote('plain', { always: true })).toBe(`'plain'`);
    expect(dotEnvQuote('tok_abc')).toBe('tok_abc');
    expect(dotEnvQuote('a "b" $c')).toBe('"a \\"b\\" \\$c"');
    expect(() => dotEnvQuote('two\nlines')).toThrow(/line break/);
  });
});

describe('merging the SDK variables into a .env', () => {
  it("keeps the user's other variables and comments, and changes the SDK's where they stand", () => {
    const existing = '# my project\nDATABASE_URL=postgres://me@db/app\nCRAFT_AI_SDK_TOKEN=tok_old\n\nOPENAI_API_KEY="sk-123" # keep\n';
    const merged = mergeDotEnv(existing, values);
    expect(merged.content).toBe(
      '# my project\nDATABASE_URL=postgres://me@db/app\nCRAFT_AI_SDK_TOKEN=tok_new\n\nOPENAI_API_KEY="sk-123" # keep\nCRAFT_AI_ENVIRONMENT_URL=http://127.0.0.1:5/environments/dev\nCRAFT_AI_CONTROL_URL=http://127.0.0.1:5\n',
    );
    expect(merged.changes).toEqual([
      { name: 'CRAFT_AI_ENVIRONMENT_URL', change: 'added' },
      { name: 'CRAFT_AI_SDK_TOKEN', change: 'updated' },
      { name: 'CRAFT_AI_CONTROL_URL', change: 'added' },
    ]);
    expect(merged.kept_lines).toBe(3);
  });

  it('leaves a line that already holds the value exactly as written, quotes and export included', () => {
    const existing = `export CRAFT_AI_ENVIRONMENT_URL="${values.CRAFT_AI_ENVIRONMENT_URL}"\nCRAFT_AI_SDK_TOKEN='tok_new'\nCRAFT_AI_CONTROL_URL=http://127.0.0.1:5 # ours`;
    const merged = mergeDotEnv(existing, values);
    expect(merged.content).toBe(existing);
    expect(merged.changes.every((c) => c.change === 'unchanged')).toBe(true);
  });

  it('updates every assignment of a variable, so that no later duplicate wins, and keeps CRLF line endings', () => {
    const merged = mergeDotEnv('CRAFT_AI_SDK_TOKEN=a\r\nKEEP=1\r\nCRAFT_AI_SDK_TOKEN=b\r\n', { CRAFT_AI_SDK_TOKEN: 'tok_new' });
    expect(merged.content).toBe('CRAFT_AI_SDK_TOKEN=tok_new\r\nKEEP=1\r\nCRAFT_AI_SDK_TOKEN=tok_new\r\n');
  });

  it("does not take a quoted value's inner lines for assignments, and keeps them", () => {
    const existing = 'CERT="-----BEGIN-----\nCRAFT_AI_SDK_TOKEN=not-a-variable\n-----END-----"\nCRAFT_AI_SDK_TOKEN=tok_old\n';
    const merged = mergeDotEnv(existing, { CRAFT_AI_SDK_TOKEN: 'tok_new' });
    expect(merged.content).toBe('CERT="-----BEGIN-----\nCRAFT_AI_SDK_TOKEN=not-a-variable\n-----END-----"\nCRAFT_AI_SDK_TOKEN=tok_new\n');
  });

  it("removes a stale control URL when the SDK's default is the right one, and says so", () => {
    const merged = mergeDotEnv('CRAFT_AI_CONTROL_URL=http://old\nA=1', { CRAFT_AI_ENVIRONMENT_URL: 'https://mlops-platform.craft.ai/environments/x', CRAFT_AI_SDK_TOKEN: 't' });
    expect(merged.content).toBe('A=1\nCRAFT_AI_ENVIRONMENT_URL=https://mlops-platform.craft.ai/environments/x\nCRAFT_AI_SDK_TOKEN=t\n');
    expect(merged.changes).toContainEqual({ name: 'CRAFT_AI_CONTROL_URL', change: 'removed' });
  });

  it('starts a new file with a comment saying it is private', () => {
    const merged = mergeDotEnv(null, values);
    expect(merged.content.split('\n')[0]).toMatch(/^# .*keep this file private/);
    expect(merged.content).toContain('CRAFT_AI_SDK_TOKEN=tok_new\n');
    expect(describeDotEnvChanges({ path: '/x/.env', exists: false, changes: merged.changes, kept_lines: 0, narrows_mode: false, git: null })).toBe('3 added');
  });
});
