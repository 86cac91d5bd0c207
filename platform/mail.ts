// Outgoing mail over SMTP (nodemailer). Without configuration, mails are dropped with a
// log line that names the recipient only (never a code or a link).
// Mails carry reset and invitation codes, so they go over TLS whose certificate is verified:
// against the system's CAs, or the private CA the settings name (SMTP_CA_FILE); a relay on
// another machine must offer TLS (no STARTTLS downgrade). Only SMTP_TLS_INSECURE=1 turns
// the checks off.
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface MailConfig {
  host: string;
  port: number;
  from: string;
  /** TLS from the first byte (port 465); otherwise STARTTLS. */
  secure?: boolean;
  /** PEM of the CA that signed the relay's certificate, when not one the system trusts. */
  ca?: string;
  /** Send without checking the relay's certificate (and without requiring TLS): explicitly only. */
  insecureTls?: boolean;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The transport's options: verified TLS unless told otherwise; TLS required of a relay on another machine. */
export function mailTransportOptions(config: MailConfig): SMTPTransport.Options {
  const insecure = config.insecureTls === true;
  return {
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    requireTLS: !insecure && !isLoopback(config.host),
    tls: { rejectUnauthorized: !insecure, ...(config.ca ? { ca: config.ca } : {}) },
  };
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly configured: boolean;
  send(mail: Mail): Promise<void>;
  close(): void;
}

export function createMailer(config: MailConfig | undefined, warn: (message: string) => void = () => {}): Mailer {
  if (!config) {
    return {
      configured: false,
      async send(mail) {
        warn(`mail to ${mail.to} not sent: no SMTP server configured`);
      },
      close() {},
    };
  }
  const transport = nodemailer.createTransport(mailTransportOptions(config));
  return {
    configured: true,
    async send(mail) {
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close() {
      transport.close();
    },
  };
}
