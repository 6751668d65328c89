import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { tenants } from '../db/schema.js';
import { SealError, type Sealer } from '../auth/sealed.js';
import { SHARED_SECRET_MIN_LENGTH } from '../payments/settings.js';

/*
 * A Comune's credentials towards the outside — its SPID/CIE client secret, pagoPA's subscription
 * keys, the shared secrets that authenticate receipts and Punto LIS notifications — are sealed
 * under the server's secrets key like the staff's authenticator keys, so that a copy of the
 * database or of a backup does not let anyone post a fake payment or sign in as the Comune.
 * They stay where they were (a column, fields of the payment settings JSON), as text.
 */

export type TenantSecretName = 'oidcClientSecret' | 'receiptSecret' | 'lisSecret' | 'checkoutSubscriptionKey' | 'gpdSubscriptionKey';

const PREFIX = 'sealed:';

/** Bound to the Comune's slug, which never changes, and to the field: a value moved elsewhere does not open. */
const contextOf = (slug: string, name: TenantSecretName) => `tenant:${slug}:${name}`;

export const isSealedText = (stored: string) => stored.startsWith(PREFIX);

export function sealTenantSecret(secrets: Sealer, slug: string, name: TenantSecretName, plain: string): string {
	return PREFIX + secrets.seal(Buffer.from(plain, 'utf8'), contextOf(slug, name)).toString('base64url');
}

export type SecretRead = { status: 'set'; value: string } | { status: 'unset' } | { status: 'unreadable' };

/**
 * What is stored, in clear. A value stored before sealing existed, or written raw by hand or by a
 * test's SQL, reads as it is: every start seals those (sealTenantSecrets).
 */
export function readTenantSecret(secrets: Sealer, slug: string, name: TenantSecretName, stored: string | null | undefined): SecretRead {
	if (!stored) return { status: 'unset' };
	if (!isSealedText(stored)) return { status: 'set', value: stored };
	try {
		return { status: 'set', value: Buffer.from(secrets.open(Buffer.from(stored.slice(PREFIX.length), 'base64url'), contextOf(slug, name))).toString('utf8') };
	} catch (error) {
		if (error instanceof SealError) return { status: 'unreadable' };
		throw error;
	}
}

export class TenantSecretUnavailable extends Error {
	constructor(
		readonly slug: string,
		readonly secret: TenantSecretName,
		readonly reason: 'unset' | 'unreadable'
	) {
		super(
			reason === 'unreadable'
				? `Il segreto ${secret} del Comune ${slug} non si apre con la chiave dei segreti di questo server: va reinserito dall'amministratore.`
				: `Il segreto ${secret} del Comune ${slug} non è impostato: va inserito dall'amministratore.`
		);
	}
}

/** A secret the caller cannot work without: its value, or TenantSecretUnavailable saying why not. */
export function requiredTenantSecret(secrets: Sealer, slug: string, name: TenantSecretName, stored: string | null | undefined): string {
	const read = readTenantSecret(secrets, slug, name, stored);
	if (read.status !== 'set') throw new TenantSecretUnavailable(slug, name, read.status);
	return read.value;
}

/** For checking what others send: a secret that is not set, or does not open here (the start logged it), authenticates no one. */
export function verifyingSecret(secrets: Sealer, slug: string, name: 'receiptSecret' | 'lisSecret', stored: string | null): string | null {
	const read = readTenantSecret(secrets, slug, name, stored);
	return read.status === 'set' ? read.value : null;
}

/**
 * A simulated Comune's shared secret (the simulator holds the other end through this same row):
 * made by `make` and stored sealed at first need, in one immediate transaction so that two first
 * uses agree. One that no longer opens here is replaced, as nobody outside holds it.
 */
export function ensureSimulatorSecret(db: Db, secrets: Sealer, tenantId: number, name: 'receiptSecret' | 'lisSecret', make: () => string): string {
	return db.transaction(
		(tx) => {
			const row = tx.select({ slug: tenants.slug, paymentSettings: tenants.paymentSettings }).from(tenants).where(eq(tenants.id, tenantId)).get()!;
			const settings = JSON.parse(row.paymentSettings || '{}') as Record<string, unknown>;
			const current = verifyingSecret(secrets, row.slug, name, typeof settings[name] === 'string' ? settings[name] : null);
			if (current) return current;
			const plain = make();
			// Only this field changes: the stored JSON keeps its other fields as they were, defaults unwritten.
			tx.update(tenants)
				.set({ paymentSettings: JSON.stringify({ ...settings, [name]: sealTenantSecret(secrets, row.slug, name, plain) }) })
				.where(eq(tenants.id, tenantId))
				.run();
			return plain;
		},
		{ behavior: 'immediate' }
	);
}

type StoredTenant = { id: number; slug: string; oidcClientSecret: string | null; paymentSettings: string };
type Holder = Record<string, unknown>;

const isHolder = (value: unknown): value is Holder => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Where each of the row's secrets sits. A payment settings value that is not a JSON object is left
 * alone: that Comune's payments refuse it at use (readPaymentSettings), the others start as usual.
 */
function placesOf(row: StoredTenant): { settings: Holder | null; places: { name: TenantSecretName; holder: Holder }[] } {
	let settings: unknown = null;
	try {
		settings = JSON.parse(row.paymentSettings || '{}');
	} catch {
		settings = null;
	}
	const places: { name: TenantSecretName; holder: Holder }[] = [];
	const at = (holder: unknown, name: TenantSecretName) => {
		if (isHolder(holder) && typeof holder[name] === 'string' && holder[name]) places.push({ name, holder });
	};
	if (isHolder(settings)) {
		at(settings, 'receiptSecret');
		at(settings, 'lisSecret');
		at(settings.pagopa, 'checkoutSubscriptionKey');
		at(settings.pagopa, 'gpdSubscriptionKey');
	}
	if (row.oidcClientSecret) places.push({ name: 'oidcClientSecret', holder: row as unknown as Holder });
	return { settings: isHolder(settings) ? settings : null, places };
}

const storedTenants = (db: Pick<Db, 'select'>): StoredTenant[] => db.select({ id: tenants.id, slug: tenants.slug, oidcClientSecret: tenants.oidcClientSecret, paymentSettings: tenants.paymentSettings }).from(tenants).all();

export function holdsSealedTenantSecrets(db: Pick<Db, 'select'>): boolean {
	return storedTenants(db).some((row) => placesOf(row).places.some((p) => isSealedText(p.holder[p.name] as string)));
}

/** The sealed secrets, and which of them (`slug.name`) do not open under `secrets`. */
export function checkTenantSecrets(db: Db, secrets: Sealer): { sealed: number; unreadable: string[] } {
	let sealed = 0;
	const unreadable: string[] = [];
	for (const row of storedTenants(db)) {
		for (const { name, holder } of placesOf(row).places) {
			const stored = holder[name] as string;
			if (!isSealedText(stored)) continue;
			sealed++;
			if (readTenantSecret(secrets, row.slug, name, stored).status === 'unreadable') unreadable.push(`${row.slug}.${name}`);
		}
	}
	return { sealed, unreadable };
}

/** The admin's form refuses shorter ones; a hand-written one is left in clear, for the payments module's check to refuse it loudly. */
const acceptable = (name: TenantSecretName, plain: string) => plain.length >= (name === 'receiptSecret' || name === 'lisSecret' ? SHARED_SECRET_MIN_LENGTH : 1);

/**
 * Seals the secrets still stored in clear (a database from before sealing, a value written by
 * hand, a test's SQL) and returns how many. The caller overwrites freed bytes (withSecureDelete).
 */
export function sealTenantSecrets(db: Db, secrets: Sealer): number {
	let count = 0;
	db.transaction((tx) => {
		for (const row of storedTenants(tx)) {
			const { settings, places } = placesOf(row);
			const raw = places.filter(({ name, holder }) => !isSealedText(holder[name] as string) && acceptable(name, holder[name] as string));
			if (raw.length === 0) continue;
			for (const { name, holder } of raw) holder[name] = sealTenantSecret(secrets, row.slug, name, holder[name] as string);
			tx.update(tenants)
				.set({ oidcClientSecret: row.oidcClientSecret, ...(settings ? { paymentSettings: JSON.stringify(settings) } : {}) })
				.where(eq(tenants.id, row.id))
				.run();
			count += raw.length;
		}
	});
	return count;
}
