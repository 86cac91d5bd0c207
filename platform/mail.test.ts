// Issue 10, item 5: reset and invitation codes go to the SMTP relay over verified TLS only. A relay
// whose certificate is not trusted gets nothing; a private CA is named in the settings; an
// insecure relay is used only when the settings say so explicitly. Real SMTP servers (smtp-server)
// with a self-signed certificate made at test time by openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, mailTransportOptions } from './mail.js';

interface Received {
  secure: boolean;
  raw: string;
}

async function startRelay(tls: { key: string; cert: string } | null): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(tls ? { key: tls.key, cert: tls.cert } : {}),
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ secure: session.secure, raw });
        callback();
      });
    },
  });
  server.on('error', () => undefined); // a client that gives up on the certificate is no server failure
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.server.address() as { port: number }).port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const mail = { to: 'ada@example.com', subject: 'Your reset code', text: 'Your code:\n\n    a-secret-reset-code\n' };

describe('outgoing mail', () => {
  let dir: string;
  let tls: { key: string; cert: string };
  const closers: (() => Promise<void>)[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'craft-smtp-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    tls = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  });
  afterAll(async () => {
    for (const close of closers) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends nothing to a relay whose certificate it cannot verify: the code never leaves', async () => {
    const relay = await startRelay(tls);
    closers.push(relay.close);
    const mailer = createMailer({ host: '127.0.0.1', port: relay.port, from: 'noreply@craft.test' });
    try {
      await expect(mailer.send(mail)).rejects.toThrow(/certificate/i);
      expect(relay.received).toEqual([]);
    } finally {
      mailer.close();
    }
  });

  it('sends over verified TLS to a relay signed by the private CA the settings name', async () => {
    const relay = await startRelay(tls);
    closers.push(relay.close);
    const mailer = createMailer({ host: 'localhost', port: relay.port, from: 'noreply@craft.test', ca: tls.cert });
    try {
      await mailer.send(mail);
      expect(relay.received).toHaveLength(1);
      expect(relay.received[0]!.secure).toBe(true);
    } finally {
      mailer.close();
    }
  });

  it('uses a relay with an unverified certificate only when the settings allow it explicitly', async () => {
    const relay = await startRelay(tls);
    closers.push(relay.close);
    const mailer = createMailer({ host: '127.0.0.1', port: relay.port, from: 'noreply@craft.test', insecureTls: true });
    try {
      await mailer.send(mail);
      expect(relay.received).toHaveLength(1);
    } finally {
      mailer.close();
    }
  });

  it('requires TLS of a relay on another machine (no STARTTLS downgrade); a relay on this computer may be plain', () => {
    expect(mailTransportOptions({ host: 'smtp.example.com', port: 587, from: 'a@example.com' })).toMatchObject({ requireTLS: true, tls: { rejectUnauthorized: true } });
    expect(mailTransportOptions({ host: '127.0.0.1', port: 25, from: 'a@example.com' })).toMatchObject({ requireTLS: false, tls: { rejectUnauthorized: true } });
    expect(mailTransportOptions({ host: 'smtp.example.com', port: 25, from: 'a@example.com', insecureTls: true })).toMatchObject({ requireTLS: false, tls: { rejectUnauthorized: false } });
  });
});
