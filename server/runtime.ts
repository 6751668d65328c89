import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDb, type Db } from './db/client.js';
import { createGroupCommit, type GroupCommit } from './db/group-commit.js';
import { createMailer, type Mailer } from './mail/mailer.js';
import { formatDemoSeed, isEmpty, seedDemo } from './seed/demo.js';
import { seedDemoHistory } from './seed/demo-history.js';
import { startOidcDevProvider, TEST_CLIENT, type OidcDevProvider } from './auth/oidc-dev-provider.js';
import type { RelyingParty } from './auth/oidc.js';
import type { Tenant } from './tenants/tenants.js';
import { logLine } from './log.js';
import { openSecrets } from './auth/secrets-key.js';
import { requiredTenantSecret } from './tenants/tenant-secrets.js';
import type { Sealer } from './auth/sealed.js';

/** Everything a request or a job needs, made once per process and passed down explicitly. */
export interface Runtime {
	config: Config;
	db: Db;
	clock: Clock;
	mailer: Mailer;
	/** seals and opens the secrets the server must read back (staff authenticator keys, the Comuni's credentials) */
	secrets: Sealer;
	/** marks and other small hot writes: committed together, answered after the commit */
	groupCommit: GroupCommit;
	/** throws TenantSecretUnavailable when the Comune's client secret is not set or does not open here */
	relyingPartyFor(tenant: Tenant): RelyingParty;
	close(): Promise<void>;
}

export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

export async function startRuntime(config: Config, opts: { clock?: Clock; mailer?: Mailer; log?: (line: string, error?: unknown) => void } = {}): Promise<Runtime> {
	const clock = opts.clock ?? systemClock;
	const log = opts.log ?? logLine;
	const db = openDb(config.databasePath);
	if (config.seedDemo && isEmpty(db)) {
		const seed = await seedDemo(db, clock);
		if (config.seedHistory) seedDemoHistory(db, clock.now());
		log(formatDemoSeed(seed, config.origin));
	}
	// After the seed, which writes the demo staff's authenticator keys raw.
	const secrets = openSecrets(db, config.secretsKeyFile, log);
	if (config.paymentSimulators) {
		log(`Simulatori di pagamento (nessun pagamento reale): ${config.origin}/simulatore-pagopa/psp · ${config.origin}/simulatore-lis`);
	}

	const redirectUri = `${config.origin}${OIDC_CALLBACK_PATH}`;
	let devProvider: OidcDevProvider | null = null;
	if (config.oidcDevPort !== null) {
		devProvider = await startOidcDevProvider({ port: config.oidcDevPort, redirectUris: [redirectUri] });
		log(`Provider SPID/CIE di TEST (simulatore) su ${devProvider.issuer}`);
	}
	const devIssuer = devProvider?.issuer ?? process.env.OIDC_DEV_ISSUER ?? 'http://localhost:3001';

	const mailer = opts.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, mailDir: config.mailDir });
	return {
		config,
		db,
		clock,
		secrets,
		groupCommit: createGroupCommit(db),
		mailer,
		relyingPartyFor(tenant) {
			if (tenant.oidcIssuer) {
				return { issuer: tenant.oidcIssuer, clientId: tenant.oidcClientId ?? '', clientSecret: requiredTenantSecret(secrets, tenant.slug, 'oidcClientSecret', tenant.oidcClientSecret), redirectUri };
			}
			return { issuer: devIssuer, ...TEST_CLIENT, redirectUri };
		},
		async close() {
			await devProvider?.close();
			mailer.close?.();
			db.$client.close();
		}
	};
}
