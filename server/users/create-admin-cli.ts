import { parseArgs } from 'node:util';
import { z } from 'zod';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { createMailer } from '../mail/mailer.js';
import { email } from '../../src/lib/shared/schemas.js';
import { invitePlatformAdmin, mailInvitation } from './invitations.js';

/*
 * npm run create-admin -- --email nome@comune.example.it [--name "Nome Cognome"]
 * The first platform admin of a new install (no one can invite the first): the database is
 * created and migrated if needed, the admin gets an invitation link valid 7 days, printed here for
 * whoever runs the command and e-mailed when SMTP_URL is set. Run again, a fresh link for the same
 * account. Exit 64 (usage) on a wrong argument, with nothing written.
 */
const USAGE_EXIT = 64;
const Args = z.strictObject({
	email,
	name: z.string().trim().min(1, { error: 'Nome: campo vuoto' }).max(120, { error: 'Nome: al massimo 120 caratteri' }).default('Amministratore Piattaforma')
});

let args: z.infer<typeof Args>;
try {
	const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' } } });
	const parsed = Args.safeParse(values);
	if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
	args = parsed.data;
} catch (error) {
	console.error(`${(error as Error).message}\nUso: npm run create-admin -- --email nome@comune.example.it [--name "Nome Cognome"]`);
	process.exit(USAGE_EXIT);
}

const config = loadConfig(process.env);
const db = openDb(config.databasePath);
const [givenName, ...rest] = args.name.split(/\s+/);
const { user, token, created } = invitePlatformAdmin(db, systemClock, { email: args.email, givenName, familyName: rest.join(' ') });
db.$client.close();

const link = `${config.origin}/invito?token=${token}`;
console.log(`${created ? 'Amministratore creato' : 'Amministratore già presente: nuovo link'}: ${user.email}`);
console.log(`Link per scegliere la password (valido 7 giorni, una sola volta):\n${link}`);
if (config.smtpUrl) {
	const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, mailDir: config.mailDir });
	const sent = await mailInvitation(mailer, config.origin, null, user.email!, 'admin', null, token);
	mailer.close?.();
	console.log(sent ? `Inviato anche per e-mail a ${user.email}.` : 'E-mail NON inviata (vedi sopra): usa il link qui sopra.');
}
console.log(`Poi accedi da ${config.origin}/admin/login: al primo accesso si configura l’app di autenticazione.`);
