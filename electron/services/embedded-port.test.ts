// The embedded platform's kept port: what a damaged record does (a free port, and a record again).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { keptPort, listenOnKeptPort } from './embedded-port.js';

const root = mkdtempSync(join(tmpdir(), 'craft-port-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A real TCP server on loopback, as the platform listens. */
const listenTcp = (port: number) =>
  new Promise<{ server: Server; port: number }>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });

describe('the kept port of the embedded platform', () => {
  it('an unreadable or out-of-range record is ignored: a free port is chosen and recorded in its place', async () => {
    for (const content of ['{not json', '{"port": 70000}', '{"port": "8080"}']) {
      const dataDir = mkdtempSync(join(root, 'd-'));
      writeFileSync(join(dataDir, 'embedded-platform.json'), content);
      expect(keptPort(dataDir)).toBeNull();
      const server = await listenOnKeptPort(dataDir, listenTcp);
      const { port } = server.address() as AddressInfo;
      await new Promise((resolve) => server.close(resolve));
      expect(port).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(join(dataDir, 'embedded-platform.json'), 'utf8'))).toEqual({ port });
    }
  });

  it('a failure other than a taken port is not hidden by a move to another port', async () => {
    const dataDir = mkdtempSync(join(root, 'd-'));
    writeFileSync(join(dataDir, 'embedded-platform.json'), '{"port": 41235}');
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    await expect(listenOnKeptPort(dataDir, () => Promise.reject(denied))).rejects.toBe(denied);
    expect(keptPort(dataDir)).toBe(41235);
  });
});
