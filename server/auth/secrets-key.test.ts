import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { configRefusal } from '../../tests/helpers/refusal.js';
import { openDb, type Db } from '../db/client.js';
import { tenants, totpCredentials, users } from '../db/schema.js';
import { eq } from 'drizzle-orm';
import { isSealedText, requiredTenantSecret, sealTenantSecret, type TenantSecretName } from '../tenants/tenant-secrets.js';
import { readPaymentSettings } from '../payments/settings.js';
import { isSealed } from './sealed.js';
import { openSecrets } from './secrets-key.js';
import { enrolmentOf } from './second-factor.js';

let dir: string;
let db: Db;
const clock = fixedClock('2026-11-23T07:00:00.000Z');
const lines: string[] = [];
/** as logLine: a line with an error is logged at level error */
const log = (line: string, error?: unknown) => lines.push(error === undefined ? line : `error: ${line}`);
const user = { id: 'op-1', email: 'ufficio@comune.example.it' };

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'mensa-secrets-'));
	db = openDb(join(dir, 'mensa.db'));
	db.insert(users).values({ id: user.id, tenantId: null, email: user.email, givenName: 'Ugo', familyName: 'Uffici', createdAt: clock.now() }).run();
	lines.length = 0;
});
afterEach(() => {
	db.$client.close();
	rmSync(dir, { recursive: true, force: true });
});

describe('the secrets key file', () => {
	it('is written at the first start, readable by the server only, and read back at the next', () => {
		const path = join(dir, 'secrets.key');
		const first = openSecrets(db, path, log);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')).toHaveLength(32);
		expect(lines.join('\n')).toContain(`Chiave dei segreti creata: ${path}`);
		const sealed = first.seal(new Uint8Array([1, 2, 3]), 'prova');
		expect(openSecrets(db, path, log).open(sealed, 'prova')).toEqual(new Uint8Array([1, 2, 3]));
	});

	it('missing while the database holds sealed keys: the start stops, saying what to put back', () => {
		const path = join(dir, 'secrets.key');
		enrolmentOf(db, clock, openSecrets(db, path, log), user, 'Mensa Aperta');
		rmSync(path);
		const message = configRefusal(() => openSecrets(db, path, log));
		expect(message).toBe(
			`Invalid configuration, the server did not start:\n  SECRETS_KEY_FILE=${JSON.stringify(path)}: not found, but the database holds secrets sealed under it: put back the key file kept apart from the backups (README, "Backup e ripristino")`
		);
		expect(() => statSync(path), 'no new key was made in its place').toThrow();
	});

	it('another installation’s key, or a damaged file: the start stops', () => {
		const path = join(dir, 'secrets.key');
		enrolmentOf(db, clock, openSecrets(db, path, log), user, 'Mensa Aperta');
		writeFileSync(path, `${randomBytes(32).toString('base64')}\n`);
		expect(configRefusal(() => openSecrets(db, path, log))).toContain('not the key the database\'s secrets were sealed under');
		writeFileSync(path, 'not a key\n');
		expect(configRefusal(() => openSecrets(db, path, log))).toContain('expected 32 bytes in base64');
	});

	it('seals the keys it finds raw, says how many, and leaves no raw key in the file', () => {
		const raw = randomBytes(20);
		db.insert(totpCredentials).values({ userId: user.id, key: raw, createdAt: clock.now() }).run();
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		openSecrets(db, join(dir, 'secrets.key'), log);
		expect(isSealed(db.select().from(totpCredentials).get()!.key)).toBe(true);
		expect(lines).toContain('Chiavi dei secondi fattori sigillate: 1');
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		expect(readFileSync(join(dir, 'mensa.db')).includes(raw), 'the freed bytes were overwritten').toBe(false);
	});

	it('seals a Comune’s credentials found in clear, column and payment settings alike, and leaves none in the file', () => {
		const receipt = `ricevute-${randomBytes(16).toString('hex')}`;
		const gpd = `gpd-${randomBytes(16).toString('hex')}`;
		const oidc = `oidc-${randomBytes(16).toString('hex')}`;
		const settings = { segregationCode: '07', receiptSecret: receipt, pagopa: { mode: 'live', gpdSubscriptionKey: gpd, checkoutSubscriptionKey: 'chiave-checkout-in-chiaro' } };
		db.insert(tenants).values({ slug: 'caluso', name: 'Caluso', searchName: 'caluso', codiceFiscaleEnte: '83001230016', oidcClientSecret: oidc, paymentSettings: JSON.stringify(settings), createdAt: clock.now() }).run();
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		const secrets = openSecrets(db, join(dir, 'secrets.key'), log);
		expect(lines).toContain('Credenziali dei Comuni sigillate: 4');
		const row = db.select().from(tenants).where(eq(tenants.slug, 'caluso')).get()!;
		const stored = JSON.parse(row.paymentSettings);
		expect([row.oidcClientSecret, stored.receiptSecret, stored.pagopa.gpdSubscriptionKey, stored.pagopa.checkoutSubscriptionKey].every((v) => isSealedText(v))).toBe(true);
		expect(stored).toMatchObject({ segregationCode: '07', pagopa: { mode: 'live' } });
		expect(requiredTenantSecret(secrets, 'caluso', 'receiptSecret', stored.receiptSecret)).toBe(receipt);
		expect(requiredTenantSecret(secrets, 'caluso', 'oidcClientSecret', row.oidcClientSecret)).toBe(oidc);
		db.$client.pragma('wal_checkpoint(TRUNCATE)');
		const file = readFileSync(join(dir, 'mensa.db'));
		for (const plain of [receipt, gpd, oidc]) expect(file.includes(plain), 'the freed bytes were overwritten').toBe(false);

		// The key gone with only a Comune's credentials sealed: the start stops as it does for authenticator keys.
		rmSync(join(dir, 'secrets.key'));
		expect(configRefusal(() => openSecrets(db, join(dir, 'secrets.key'), log))).toContain('not found, but the database holds secrets sealed under it');
		writeFileSync(join(dir, 'secrets.key'), `${randomBytes(32).toString('base64')}\n`);
		expect(configRefusal(() => openSecrets(db, join(dir, 'secrets.key'), log))).toContain("not the key the database's secrets were sealed under");
	});

	it('lost for good: docs/deploy/forget-secrets.sql forgets what was sealed, and the start makes a new key', () => {
		const path = join(dir, 'secrets.key');
		const first = openSecrets(db, path, log);
		enrolmentOf(db, clock, first, user, 'Mensa Aperta');
		const seal = (name: TenantSecretName, plain: string) => sealTenantSecret(first, 'caluso', name, plain);
		const live = { mode: 'live', checkoutBaseUrl: 'https://api.platform.pagopa.it', gpdBaseUrl: 'https://api.platform.pagopa.it', checkoutSubscriptionKey: seal('checkoutSubscriptionKey', 'k1'), gpdSubscriptionKey: seal('gpdSubscriptionKey', 'k2'), iban: 'IT60X0542811101000000123456', transferCategory: '9/0101108TS/' };
		const settings = { segregationCode: '07', receiptSecret: seal('receiptSecret', 'r'.repeat(40)), lisSecret: seal('lisSecret', 'l'.repeat(40)), lis: { mode: 'live' }, pagopa: live };
		db.insert(tenants).values({ slug: 'caluso', name: 'Caluso', searchName: 'caluso', codiceFiscaleEnte: '83001230016', oidcIssuer: 'https://identity.example.it', oidcClientId: 'mensa', oidcClientSecret: seal('oidcClientSecret', 'c'), paymentSettings: JSON.stringify(settings), createdAt: clock.now() }).run();
		// Another Comune's settings damaged by hand: the file goes through all the same, and leaves them as they are.
		db.insert(tenants).values({ slug: 'rotto', name: 'Rotto', searchName: 'rotto', codiceFiscaleEnte: '83001230024', paymentSettings: '{non è json', createdAt: clock.now() }).run();
		rmSync(path);
		expect(configRefusal(() => openSecrets(db, path, log))).toContain('not found, but the database holds secrets sealed under it');

		db.$client.exec(readFileSync('docs/deploy/forget-secrets.sql', 'utf8'));
		const second = openSecrets(db, path, log);
		expect(db.select().from(totpCredentials).all()).toEqual([]);
		const row = db.select().from(tenants).where(eq(tenants.slug, 'caluso')).get()!;
		expect(row.oidcClientSecret).toBeNull();
		// The rest of the Comune's settings are kept, and still read: only the credentials are to be typed again.
		expect(readPaymentSettings(row.paymentSettings)).toMatchObject({ segregationCode: '07', receiptSecret: null, lisSecret: null, lis: { mode: 'live' }, pagopa: { mode: 'live', iban: live.iban, checkoutSubscriptionKey: null, gpdSubscriptionKey: null } });
		expect(db.select().from(tenants).where(eq(tenants.slug, 'rotto')).get()!.paymentSettings).toBe('{non è json');
		expect(second.open(second.seal(new Uint8Array([7]), 'prova'), 'prova')).toEqual(new Uint8Array([7]));
	});

	it('one key that does not open among good ones: the start goes on, and says whose', () => {
		const path = join(dir, 'secrets.key');
		enrolmentOf(db, clock, openSecrets(db, path, log), user, 'Mensa Aperta');
		db.insert(users).values({ id: 'op-2', tenantId: null, email: 'altro@comune.example.it', givenName: 'Ada', familyName: 'Altri', createdAt: clock.now() }).run();
		db.insert(totpCredentials).values({ userId: 'op-2', key: db.select().from(totpCredentials).get()!.key, createdAt: clock.now() }).run();
		openSecrets(db, path, log);
		expect(lines).toContain('error: ATTENZIONE: chiavi dei secondi fattori illeggibili per gli utenti op-2: usino un codice di recupero, o un amministratore le reimposti');
	});

	it('a key file it cannot write: the start stops, saying so', () => {
		writeFileSync(join(dir, 'a-file'), '');
		const path = join(dir, 'a-file', 'secrets.key');
		expect(configRefusal(() => openSecrets(db, path, log))).toBe(
			`Invalid configuration, the server did not start:\n  SECRETS_KEY_FILE=${JSON.stringify(path)}: cannot be written (EEXIST): the server writes its key there at the first start`
		);
		expect(readdirSync(dir).sort(), 'nothing left behind').toEqual(['a-file', 'mensa.db', 'mensa.db-shm', 'mensa.db-wal']);
	});
});
