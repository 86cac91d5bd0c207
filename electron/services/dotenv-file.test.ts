// The one .env writer on real files: merge, confirmation, ~, plain errors, git.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandHome, ignoreInGit, planDotEnv, writeDotEnv } from './dotenv-file.js';

const values = { url: 'http://127.0.0.1:5/environments/dev', token: 'tok_abc$def' };
const folder = () => mkdtempSync(join(tmpdir(), 'craft-dotenv-file-'));

describe('the .env writer', () => {
  it("keeps the user's variables and comments when it sets the SDK's, once the change is confirmed", () => {
    const dir = folder();
    const file = join(dir, '.env');
    const mine = '# secrets of my app\nDATABASE_URL=postgres://me:pw@db/app\nOPENAI_API_KEY=sk-live-123\nCRAFT_AI_SDK_TOKEN=tok_old\n';
    writeFileSync(file, mine, { mode: 0o644 });
    const plan = planDotEnv(file, values);
    expect(plan).toMatchObject({ path: file, exists: true, kept_lines: 3, narrows_mode: true, git: null });
    expect(plan.changes).toEqual([
      { name: 'CRAFT_AI_ENVIRONMENT_URL', change: 'added' },
      { name: 'CRAFT_AI_SDK_TOKEN', change: 'updated' },
      { name: 'CRAFT_AI_CONTROL_URL', change: 'added' },
    ]);
    expect(JSON.stringify(plan)).not.toContain('tok_');
    // Not confirmed: nothing changes.
    expect(() => writeDotEnv(file, values)).toThrow(expect.objectContaining({ code: 'conflict', field: 'path' }));
    expect(readFileSync(file, 'utf8')).toBe(mine);

    expect(writeDotEnv(file, values, { confirmed: true })).toMatchObject({ written: true, exists: true });
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(
      '# secrets of my app\nDATABASE_URL=postgres://me:pw@db/app\nOPENAI_API_KEY=sk-live-123\nCRAFT_AI_SDK_TOKEN="tok_abc\\$def"\nCRAFT_AI_ENVIRONMENT_URL=http://127.0.0.1:5/environments/dev\nCRAFT_AI_CONTROL_URL=http://127.0.0.1:5\n',
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['.env']);
    // Written again with the same values: up to date, nothing to confirm, nothing written.
    expect(writeDotEnv(file, values)).toMatchObject({ written: false });
  });

  it('writes a new file without asking, readable by its owner only', () => {
    const file = join(folder(), 'project.env');
    expect(writeDotEnv(file, values)).toMatchObject({ written: true, exists: false });
    expect(readFileSync(file, 'utf8')).toContain('CRAFT_AI_ENVIRONMENT_URL=http://127.0.0.1:5/environments/dev\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('expands ~ to the home folder and refuses a relative path', () => {
    const home = folder();
    expect(expandHome('~/churn/.env', 'path', home)).toBe(join(home, 'churn/.env'));
    expect(() => expandHome('~bob/.env')).toThrow(/only ~ \(your own home folder\)/);
    expect(() => expandHome('churn/.env')).toThrow(/path: must be an absolute path/);
    mkdirSync(join(home, 'churn'));
    expect(writeDotEnv('~/churn/.env', values, { home })).toMatchObject({ path: join(home, 'churn/.env'), written: true });
  });

  it('says in words what is wrong with the path: a folder, a missing folder, a file on the way, no permission', () => {
    const dir = folder();
    expect(() => writeDotEnv(dir, values)).toThrow(`path: ${dir} is a folder: give the path of a file in it, such as ${dir}/.env`);
    expect(() => writeDotEnv(join(dir, 'missing', '.env'), values)).toThrow(`path: the folder ${join(dir, 'missing')} does not exist: create it first, or choose another folder`);
    writeFileSync(join(dir, 'file'), '');
    expect(() => writeDotEnv(join(dir, 'file', '.env'), values)).toThrow(/a part of .* is a file, not a folder/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      mkdirSync(locked, { mode: 0o500 });
      expect(() => writeDotEnv(join(locked, '.env'), values)).toThrow(`path: you are not allowed to write in ${locked} (permission denied)`);
      chmodSync(locked, 0o700);
    }
  });

  it('changes the file a symbolic link points to, not the link', () => {
    const dir = folder();
    writeFileSync(join(dir, 'real.env'), 'A=1\n');
    symlinkSync(join(dir, 'real.env'), join(dir, '.env'));
    expect(writeDotEnv(join(dir, '.env'), values, { confirmed: true }).path).toBe(join(dir, 'real.env'));
    expect(readFileSync(join(dir, 'real.env'), 'utf8')).toMatch(/^A=1\nCRAFT_AI_ENVIRONMENT_URL=/);
  });

  it('tells whether git would commit the file, and adds it to .gitignore when asked', () => {
    const repo = folder();
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'app'));
    writeFileSync(join(repo, '.gitignore'), 'node_modules/');
    const file = join(repo, '.env');
    expect(planDotEnv(file, values).git).toEqual({ gitignore: join(repo, '.gitignore'), ignored: false });
    expect(ignoreInGit(file)).toEqual({ gitignore: join(repo, '.gitignore'), line: '.env', added: true });
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.env\n');
    expect(planDotEnv(file, values).git?.ignored).toBe(true);
    expect(ignoreInGit(file).added).toBe(false);
    // Deeper in the repository: its path from the root.
    const deeper = join(repo, 'app', 'local.env');
    expect(ignoreInGit(deeper)).toMatchObject({ line: '/app/local.env', added: true });
    expect(planDotEnv(deeper, values).git?.ignored).toBe(true);
    // A folder's own .gitignore counts too.
    writeFileSync(join(repo, 'app', '.gitignore'), '*.secret\n');
    expect(planDotEnv(join(repo, 'app', 'x.secret'), values).git?.ignored).toBe(true);
    expect(() => ignoreInGit(join(folder(), '.env'))).toThrow(/is not in a git repository/);
  });
});
