// Outgoing mail over SMTP (nodemailer). Without configuration, mails are dropped with a
// log line that names the recipient only (never a code or a link).
import nodemailer from 'nodemailer';

export interface MailConfig {
  host: string;
  port: number;
  from: string;
  secure?: boolean;
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
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure ?? false,
    // Local test servers and internal relays often have no certificate; STARTTLS is still used when offered.
    tls: { rejectUnauthorized: false },
  });
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
