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
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env): Config {
	const port = env.PORT ?? '3000';
	const dataDir = env.DATA_DIR ?? 'data';
	return {
		databasePath: resolve(env.DATABASE_PATH ?? `${dataDir}/mensa.db`),
		origin: (env.ORIGIN ?? `http://localhost:${port}`).replace(/\/$/, ''),
		smtpUrl: env.SMTP_URL || null,
		mailFrom: env.MAIL_FROM ?? 'Mensa Aperta <no-reply@mensa-aperta.example>',
		mailDir: resolve(env.MAIL_DIR ?? `${dataDir}/mail`),
		oidcDevPort: env.OIDC_DEV === 'off' ? null : Number(env.OIDC_DEV_PORT ?? 3001),
		seedDemo: env.SEED_DEMO !== 'off'
	};
}
