import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connections, defaultDataDir } from './connections.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'craft-conn-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Connections', () => {
  it('keeps one embedded connection with a stable id whose URL follows each launch', () => {
    const dir = tempDir();
    const first = Connections.load(dir).ensureEmbedded('http://127.0.0.1:40001');
    const second = Connections.load(dir).ensureEmbedded('http://127.0.0.1:40002');
    expect(second.id).toBe(first.id);
    expect(second.url).toBe('http://127.0.0.1:40002');
    const connections = Connections.load(dir);
    expect(connections.list()).toHaveLength(1);
    expect(connections.active()?.id).toBe(first.id);
  });

  it('adds, switches, removes team connections and writes atomically without secrets', () => {
    const dir = tempDir();
    const c = Connections.load(dir);
    const embedded = c.ensureEmbedded('http://127.0.0.1:1');
    const team = c.add({ name: 'Team', url: 'https://mlops.example.com/', kind: 'team' });
    expect(team.url).toBe('https://mlops.example.com');
    expect(() => c.add({ name: 'Again', url: 'https://mlops.example.com', kind: 'team' })).toThrow(expect.objectContaining({ code: 'conflict', field: 'url' }));
    expect(() => c.add({ name: 'Bad', url: 'ftp://x', kind: 'team' })).toThrow(expect.objectContaining({ field: 'url' }));
    expect(() => c.add({ name: 'Creds', url: 'https://u:p@x.example', kind: 'team' })).toThrow(expect.objectContaining({ field: 'url' }));
    c.setActive(team.id);
    expect(Connections.load(dir).active()?.id).toBe(team.id);
    expect(() => c.setActive('nope')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => c.remove(embedded.id)).toThrow(expect.objectContaining({ code: 'validation' }));
    c.remove(team.id);
    expect(Connections.load(dir).active()?.id).toBe(embedded.id);
    expect(readdirSync(dir)).toEqual(['connections.json']);
    const text = readFileSync(join(dir, 'connections.json'), 'utf8');
    expect(text).not.toMatch(/token|password|PRIVATE/i);
  });

  it('starts empty from a corrupt file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'connections.json'), '{not json');
    const c = Connections.load(dir);
    expect(c.list()).toEqual([]);
    expect(c.active()).toBeNull();
  });
});

describe('defaultDataDir', () => {
  it('follows each OS convention and CRAFT_DATA_DIR', () => {
    expect(defaultDataDir({ CRAFT_DATA_DIR: '/x' }, 'linux', '/home/u')).toBe('/x');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/craft-mlops-desktop');
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/craft-mlops-desktop');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Craft MLOps Desktop');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toContain('Craft MLOps Desktop');
  });
});
