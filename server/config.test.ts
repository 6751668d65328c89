import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { loadConfig } from './config.js';
import { configRefusal } from '../tests/helpers/refusal.js';

const refusal = (env: Record<string, string>) => configRefusal(() => loadConfig(env));

describe('loadConfig', () => {
	it('has working defaults for a developer machine', () => {
		expect(loadConfig({})).toEqual({
			databasePath: resolve('data/mensa.db'),
			secretsKeyFile: resolve('data/secrets.key'),
			origin: 'http://localhost:3000',
			smtpUrl: null,
			mailFrom: 'Mensa Aperta <no-reply@mensa-aperta.example>',
			mailDir: resolve('data/mail'),
			oidcDevPort: 3001,
			seedDemo: true,
			seedHistory: true,
			paymentSimulators: true,
			dayClose: true,
			backup: { dir: resolve('data/backups'), hour: 2, keep: 14 },
			logLevel: 'info',
			trustedProxies: []
		});
	});

	it('turns the demo, the test identity provider and the simulators off on a public origin unless asked for', () => {
		const config = loadConfig({ ORIGIN: 'https://mensa.comune.example.it/', PAYMENT_SIMULATORS: 'on' });
		expect(config).toMatchObject({ origin: 'https://mensa.comune.example.it', seedDemo: false, oidcDevPort: null, paymentSimulators: true });
	});

	it('reads every variable it documents', () => {
		const config = loadConfig({
			PORT: '8080',
			DATA_DIR: '/var/lib/mensa',
			SMTP_URL: 'smtp://mensa:segreto@mail.example.it:587',
			MAIL_FROM: 'Mensa <mensa@comune.example.it>',
			OIDC_DEV: 'on',
			OIDC_DEV_PORT: '0',
			SEED_DEMO: 'off',
			SEED_HISTORY: 'off',
			DAY_CLOSE: 'off',
			BACKUP_DIR: '/srv/backup/mensa',
			BACKUP_HOUR: '23',
			BACKUP_KEEP: '30',
			LOG_LEVEL: 'debug',
			TRUSTED_PROXIES: '127.0.0.1, ::1',
			SHUTDOWN_TIMEOUT: '20',
			BODY_SIZE_LIMIT: '3M',
			SECRETS_KEY_FILE: '/etc/mensa-aperta/secrets.key'
		});
		expect(config).toMatchObject({
			origin: 'http://localhost:8080',
			databasePath: '/var/lib/mensa/mensa.db',
			secretsKeyFile: '/etc/mensa-aperta/secrets.key',
			mailDir: '/var/lib/mensa/mail',
			smtpUrl: 'smtp://mensa:segreto@mail.example.it:587',
			oidcDevPort: 0,
			seedDemo: false,
			dayClose: false,
			backup: { dir: '/srv/backup/mensa', hour: 23, keep: 30 },
			logLevel: 'debug',
			trustedProxies: ['127.0.0.1', '::1']
		});
	});

	it('keeps the secrets key beside the database unless told otherwise', () => {
		expect(loadConfig({ DATABASE_PATH: '/srv/mensa/db/mensa.db' }).secretsKeyFile).toBe('/srv/mensa/db/secrets.key');
	});

	it('takes an empty variable as unset', () => {
		expect(loadConfig({ SMTP_URL: '', PORT: '' })).toMatchObject({ smtpUrl: null, origin: 'http://localhost:3000' });
	});

	it.each([
		['PORT', 'abc', 'PORT="abc": expected a TCP port number (1-65535)'],
		['PORT', '70000', 'PORT="70000": expected a TCP port number (1-65535)'],
		['ORIGIN', 'not-a-url', 'ORIGIN="not-a-url": expected the public origin'],
		['ORIGIN', 'https://mensa.example.it/app', 'ORIGIN="https://mensa.example.it/app": expected the public origin'],
		['ORIGIN', 'ftp://mensa.example.it', 'ORIGIN="ftp://mensa.example.it": expected the public origin'],
		['SEED_DEMO', 'yes', 'SEED_DEMO="yes": expected "on" or "off"'],
		['DAY_CLOSE', 'false', 'DAY_CLOSE="false": expected "on" or "off"'],
		['OIDC_DEV_PORT', '-1', 'OIDC_DEV_PORT="-1": expected a TCP port number (0 picks a free one)'],
		['LOG_LEVEL', 'verbose', 'LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent'],
		['TRUSTED_PROXIES', 'nginx', 'TRUSTED_PROXIES="nginx": expected a comma-separated list of IP addresses'],
		['BACKUP_HOUR', '24', 'BACKUP_HOUR="24": expected the hour of the daily backup in Rome (0-23)'],
		['BACKUP_KEEP', '0', 'BACKUP_KEEP="0": expected how many daily backups to keep (1-3650)'],
		['SHUTDOWN_TIMEOUT', '0', 'SHUTDOWN_TIMEOUT="0": expected whole seconds (1-3600)'],
		['BODY_SIZE_LIMIT', '3MB', 'BODY_SIZE_LIMIT="3MB": expected a size in bytes']
	])('refuses %s=%s, naming it and what it expects', (name, value, expected) => {
		const message = refusal({ [name]: value });
		expect(message).toMatch(/^Invalid configuration, the server did not start:\n/);
		expect(message).toContain(expected);
		expect(message.split('\n')).toHaveLength(2);
	});

	it('lists every wrong variable at once, and never echoes the SMTP password', () => {
		const message = refusal({ PORT: 'abc', SMTP_URL: 'mail.example.it:25 segreto', LOG_LEVEL: 'loud' });
		expect(message.split('\n').slice(1)).toEqual([
			'  PORT="abc": expected a TCP port number (1-65535)',
			'  SMTP_URL=(value not shown): expected smtp://[user:password@]host[:port] or smtps://…',
			'  LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent'
		]);
	});
});
