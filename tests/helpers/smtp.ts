import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
	to: string;
	subject: string;
	text: string;
	attachments: { filename: string; contentType: string; content: Buffer }[];
}

/** A real SMTP server on loopback that keeps what it receives, for tests to read. */
export async function startTestSmtp() {
	const received: ReceivedMail[] = [];
	const waiters: (() => void)[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			simpleParser(stream)
				.then((mail: ParsedMail) => {
					for (const rcpt of session.envelope.rcptTo) {
						const attachments = mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content }));
						received.push({ to: rcpt.address.toLowerCase(), subject: mail.subject ?? '', text: mail.text ?? '', attachments });
					}
					waiters.splice(0).forEach((wake) => wake());
					callback();
				})
				.catch(callback);
		}
	});
	// A client gone mid-session (an app server killed by the crash test) resets its socket: not a failure here.
	server.on('error', (e: NodeJS.ErrnoException) => {
		if (e.code !== 'ECONNRESET') throw e;
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.server.address() as AddressInfo).port;

	return {
		url: `smtp://127.0.0.1:${port}`,
		received,
		/** The newest message to `to` matching `match`, waiting for it to arrive. */
		async waitFor(to: string, match: (m: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail> {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const found = received.filter((m) => m.to === to.toLowerCase() && match(m)).at(-1);
				if (found) return found;
				if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms (got: ${received.map((m) => `${m.to}: ${m.subject}`).join('; ')})`);
				await new Promise<void>((resolve) => {
					waiters.push(resolve);
					setTimeout(resolve, 200);
				});
			}
		},
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

export type TestSmtp = Awaited<ReturnType<typeof startTestSmtp>>;

/** The first link in a mail's text that goes to `path`. */
export function linkIn(mail: ReceivedMail, path: string): URL {
	const match = mail.text.match(new RegExp(`https?://\\S+${path.replace(/[/?]/g, '\\$&')}\\S*`));
	if (!match) throw new Error(`no link to ${path} in mail «${mail.subject}»:\n${mail.text}`);
	return new URL(match[0]);
}
