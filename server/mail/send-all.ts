import type { Mailer, MailMessage } from './mailer.js';
import { logLine } from '../log.js';

/** Sends in the background: the change they tell about is already committed, a failed e-mail is only logged. */
export function sendAll(mailer: Mailer, messages: MailMessage[], label: string): void {
	for (const message of messages) {
		mailer.send(message).catch((error) => logLine(`${label} invio a ${message.to} non riuscito`, error));
	}
}
