import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { log } from '../log.js';

export interface MailMessage {
	to: string;
	subject: string;
	text: string;
	/** nodemailer's own shape, so messages pass through unchanged (e.g. the avviso PDF) */
	attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
	send(message: MailMessage): Promise<void>;
	/** lets go of pooled connections at shutdown */
	close?(): void;
}

/**
 * SMTP when configured; otherwise each message becomes an .eml file under mailDir and its
 * text is logged, so the demo works on a machine with no mail server.
 */
export function createMailer(opts: { smtpUrl: string | null; from: string; mailDir: string }): Mailer {
	if (opts.smtpUrl) {
		// A few connections kept open and reused: the outbox sends hundreds of alerts after a day close.
		const transport = nodemailer.createTransport({ url: opts.smtpUrl, pool: true, maxConnections: 4 });
		return {
			async send(message) {
				await transport.sendMail({ from: opts.from, ...message });
			},
			close: () => transport.close()
		};
	}
	const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
	return {
		async send(message) {
			const info = await transport.sendMail({ from: opts.from, ...message });
			// Off the event loop: after a day close the outbox writes hundreds of these.
			await mkdir(opts.mailDir, { recursive: true });
			const file = join(opts.mailDir, `${Date.now()}-${info.messageId.replace(/[^\w.-]/g, '')}.eml`);
			await writeFile(file, info.message as Buffer);
			// Not the text: it carries one-time links, which must never reach a log.
			log.info({ to: message.to, subject: message.subject, file }, 'mail saved to a file (no SMTP_URL)');
		}
	};
}
