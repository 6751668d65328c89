import { resolve } from 'node:path';

export interface Config {
	databasePath: string;
	/** the public origin: builds e-mail links and the SPID/CIE redirect URI */
	origin: string;
	smtpUrl: string | null;
	mailFrom: string;
	mailDir: string;
	/** the embedded SPID/CIE test provider; 0 picks a free port */
	oidcDevPort: number | null;
	seedDemo: boolean;
	/** weeks of closed days and payments in the demo (off in tests, which start from a clean year) */
	seedHistory: boolean;
	/**
	 * The pagoPA and Punto LIS simulators: anyone who reaches them can "pay" into a child's account
	 * with money that does not exist, so they are served only where that is wanted.
	 */
	paymentSimulators: boolean;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
	const port = env.PORT ?? '3000';
	const dataDir = env.DATA_DIR ?? 'data';
	const origin = (env.ORIGIN ?? `http://localhost:${port}`).replace(/\/$/, '');
	// Demo accounts with a published password and a test identity provider anyone can use are
	// right on a developer's machine and wrong on a public one: off there unless asked for.
	const local = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);
	const switchedOn = (value: string | undefined) => (value === undefined ? local : value !== 'off');
	return {
		databasePath: resolve(env.DATABASE_PATH ?? `${dataDir}/mensa.db`),
		origin,
		smtpUrl: env.SMTP_URL || null,
		mailFrom: env.MAIL_FROM ?? 'Mensa Aperta <no-reply@mensa-aperta.example>',
		mailDir: resolve(env.MAIL_DIR ?? `${dataDir}/mail`),
		oidcDevPort: switchedOn(env.OIDC_DEV) ? Number(env.OIDC_DEV_PORT ?? 3001) : null,
		seedDemo: switchedOn(env.SEED_DEMO),
		seedHistory: switchedOn(env.SEED_HISTORY),
		paymentSimulators: switchedOn(env.PAYMENT_SIMULATORS)
	};
}
