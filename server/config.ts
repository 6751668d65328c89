import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

export interface Config {
	databasePath: string;
	/** the key staff authenticator keys and the Comuni's credentials are sealed under: kept apart from the database's backups */
	secretsKeyFile: string;
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
	/** the running server closes each Comune's day after its cutoff (off: only `npm run day-close`) */
	dayClose: boolean;
	/** the running server's daily backup (off: only `npm run backup`) */
	backup: { dir: string; hour: number; keep: number } | null;
	logLevel: LogLevel;
	/** addresses of reverse proxies whose X-Request-Id is taken as the request's id */
	trustedProxies: string[];
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Env = Record<string, string | undefined>;

/** A wrong variable: the process must not start, and the message says which and what was expected. */
export class ConfigError extends Error {}

/** One message for every wrong setting: a line each, naming the variable, its value and what was expected. */
export function configError(problems: { name: string; shown: string; expected: string }[]): ConfigError {
	return new ConfigError(`Invalid configuration, the server did not start:\n${problems.map((p) => `  ${p.name}=${p.shown}: ${p.expected}`).join('\n')}`);
}

/** sysexits' EX_CONFIG: a systemd unit can refuse to restart-loop on it (RestartPreventExitStatus=78). */
export const CONFIG_EXIT_CODE = 78;

const integer = (min: number, max: number, expected: string) =>
	z
		.string()
		.regex(/^\d+$/, expected)
		.transform(Number)
		.pipe(z.number().min(min, expected).max(max, expected));

const httpUrl = (expected: string, check: (url: URL) => boolean = () => true) =>
	z.string().refine((value) => {
		try {
			const url = new URL(value);
			return ['http:', 'https:'].includes(url.protocol) && check(url);
		} catch {
			return false;
		}
	}, expected);

const onOff = z.enum(['on', 'off'], { error: 'expected "on" or "off"' });

/** Every variable the app reads, with what it expects; adapter-node reads some of them too (PORT, SHUTDOWN_TIMEOUT, BODY_SIZE_LIMIT). */
const schema = z.object({
	PORT: integer(1, 65535, 'expected a TCP port number (1-65535)').default(3000),
	ORIGIN: httpUrl('expected the public origin, e.g. https://mensa.comune.example.it (scheme and host, no path)', (u) => u.pathname === '/' && !u.search && !u.hash).optional(),
	DATA_DIR: z.string().default('data'),
	DATABASE_PATH: z.string().optional(),
	SECRETS_KEY_FILE: z.string().optional(),
	SMTP_URL: z
		.string()
		.refine((v) => /^smtps?:\/\/[^/]+/.test(v) && URL.canParse(v), 'expected smtp://[user:password@]host[:port] or smtps://…')
		.optional(),
	MAIL_FROM: z.string().default('Mensa Aperta <no-reply@mensa-aperta.example>'),
	MAIL_DIR: z.string().optional(),
	OIDC_DEV: onOff.optional(),
	OIDC_DEV_PORT: integer(0, 65535, 'expected a TCP port number (0 picks a free one)').default(3001),
	SEED_DEMO: onOff.optional(),
	SEED_HISTORY: onOff.optional(),
	PAYMENT_SIMULATORS: onOff.optional(),
	DAY_CLOSE: onOff.default('on'),
	BACKUP: onOff.default('on'),
	BACKUP_DIR: z.string().optional(),
	BACKUP_HOUR: integer(0, 23, 'expected the hour of the daily backup in Rome (0-23)').default(2),
	BACKUP_KEEP: integer(1, 3650, 'expected how many daily backups to keep (1-3650)').default(14),
	LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
	TRUSTED_PROXIES: z
		.string()
		.transform((v) => v.split(',').map((a) => a.trim()).filter(Boolean))
		.refine((list) => list.every((a) => isIP(a) !== 0), 'expected a comma-separated list of IP addresses, e.g. 127.0.0.1,::1')
		.default([]),
	SHUTDOWN_TIMEOUT: integer(1, 3600, 'expected whole seconds (1-3600) to let requests finish on SIGTERM').optional(),
	BODY_SIZE_LIMIT: z
		.string()
		.regex(/^(\d+[KMG]?|Infinity)$/, 'expected a size in bytes, with an optional K, M or G suffix (e.g. 3M)')
		.optional()
});

export function loadConfig(env: Env): Config {
	// An empty variable is an unset one (as `VAR=` in a systemd unit or a shell means).
	const given = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
	const parsed = schema.safeParse(given);
	if (!parsed.success) {
		throw configError(
			parsed.error.issues.map((issue) => {
				const name = String(issue.path[0]);
				// SMTP_URL may carry the mail account's password.
				return { name, shown: name === 'SMTP_URL' ? '(value not shown)' : JSON.stringify(given[name]), expected: issue.message };
			})
		);
	}
	const v = parsed.data;
	const origin = (v.ORIGIN ?? `http://localhost:${v.PORT}`).replace(/\/$/, '');
	// Demo accounts with a published password and a test identity provider anyone can use are
	// right on a developer's machine and wrong on a public one: off there unless asked for.
	const local = ['localhost', '127.0.0.1', '[::1]'].includes(new URL(origin).hostname);
	const switchedOn = (value: 'on' | 'off' | undefined) => (value === undefined ? local : value === 'on');
	const databasePath = resolve(v.DATABASE_PATH ?? `${v.DATA_DIR}/mensa.db`);
	return {
		databasePath,
		secretsKeyFile: resolve(v.SECRETS_KEY_FILE ?? `${dirname(databasePath)}/secrets.key`),
		origin,
		smtpUrl: v.SMTP_URL ?? null,
		mailFrom: v.MAIL_FROM,
		mailDir: resolve(v.MAIL_DIR ?? `${v.DATA_DIR}/mail`),
		oidcDevPort: switchedOn(v.OIDC_DEV) ? v.OIDC_DEV_PORT : null,
		seedDemo: switchedOn(v.SEED_DEMO),
		seedHistory: switchedOn(v.SEED_HISTORY),
		paymentSimulators: switchedOn(v.PAYMENT_SIMULATORS),
		dayClose: v.DAY_CLOSE === 'on',
		backup: v.BACKUP === 'on' ? { dir: resolve(v.BACKUP_DIR ?? `${v.DATA_DIR}/backups`), hour: v.BACKUP_HOUR, keep: v.BACKUP_KEEP } : null,
		logLevel: v.LOG_LEVEL,
		trustedProxies: v.TRUSTED_PROXIES
	};
}
