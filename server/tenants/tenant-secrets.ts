import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { tenants } from '../db/schema.js';
import { SealError, type Sealer } from '../auth/sealed.js';

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

export class TenantSecretUnreadable extends Error {
	constructor(
		readonly slug: string,
		readonly secret: TenantSecretName
	) {
		super(`Il segreto ${secret} del Comune ${slug} non si apre con la chiave dei segreti di questo server: va reinserito dall'amministratore.`);
	}
}

/**
 * The secret in clear; null when none is set. A value stored before sealing existed, or written
 * raw by a test's SQL, reads as it is: every start seals those (sealTenantSecrets).
 */
export function openTenantSecret(secrets: Sealer, slug: string, name: TenantSecretName, stored: string | null | undefined): string | null {
	if (!stored) return null;
	if (!isSealedText(stored)) return stored;
	try {
		return Buffer.from(secrets.open(Buffer.from(stored.slice(PREFIX.length), 'base64url'), contextOf(slug, name))).toString('utf8');
	} catch (error) {
		if (error instanceof SealError) throw new TenantSecretUnreadable(slug, name);
		throw error;
	}
}

/** For checking what others send: a secret that does not open here (the start logged it) authenticates no one. */
export function verifyingSecret(secrets: Sealer, slug: string, name: 'receiptSecret' | 'lisSecret', stored: string | null): string | null {
	try {
		return openTenantSecret(secrets, slug, name, stored);
	} catch (error) {
		if (error instanceof TenantSecretUnreadable) return null;
		throw error;
	}
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
			const stored = typeof settings[name] === 'string' ? (settings[name] as string) : null;
			const current = verifyingSecret(secrets, row.slug, name, stored);
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
type Visit = (name: TenantSecretName, stored: string) => string;

/**
 * Calls `visit` on each secret the row holds, in the stored JSON as it is (no defaults added), and
 * returns the row's two columns with what `visit` returned in their place.
 */
function mapSecrets(row: StoredTenant, visit: Visit): { oidcClientSecret: string | null; paymentSettings: string } {
	const settings = JSON.parse(row.paymentSettings || '{}') as Record<string, unknown> & { pagopa?: Record<string, unknown> };
	const replace = (holder: Record<string, unknown> | undefined, name: TenantSecretName) => {
		const value = holder?.[name];
		if (holder && typeof value === 'string' && value) holder[name] = visit(name, value);
	};
	replace(settings, 'receiptSecret');
	replace(settings, 'lisSecret');
	replace(settings.pagopa, 'checkoutSubscriptionKey');
	replace(settings.pagopa, 'gpdSubscriptionKey');
	return { oidcClientSecret: row.oidcClientSecret ? visit('oidcClientSecret', row.oidcClientSecret) : null, paymentSettings: JSON.stringify(settings) };
}

const storedTenants = (db: Pick<Db, 'select'>): StoredTenant[] => db.select({ id: tenants.id, slug: tenants.slug, oidcClientSecret: tenants.oidcClientSecret, paymentSettings: tenants.paymentSettings }).from(tenants).all();

export function holdsSealedTenantSecrets(db: Pick<Db, 'select'>): boolean {
	return storedTenants(db).some((row) => {
		let sealed = false;
		mapSecrets(row, (_, stored) => ((sealed ||= isSealedText(stored)), stored));
		return sealed;
	});
}

/** The sealed secrets, and which of them (`slug.name`) do not open under `secrets`. */
export function checkTenantSecrets(db: Db, secrets: Sealer): { sealed: number; unreadable: string[] } {
	let sealed = 0;
	const unreadable: string[] = [];
	for (const row of storedTenants(db)) {
		mapSecrets(row, (name, stored) => {
			if (isSealedText(stored)) {
				sealed++;
				try {
					openTenantSecret(secrets, row.slug, name, stored);
				} catch (error) {
					if (!(error instanceof TenantSecretUnreadable)) throw error;
					unreadable.push(`${row.slug}.${name}`);
				}
			}
			return stored;
		});
	}
	return { sealed, unreadable };
}

/**
 * Seals the secrets still stored in clear (a database from before sealing, the seed's demo
 * Comuni, a test's SQL) and returns how many. The caller overwrites freed bytes (secure_delete).
 */
export function sealTenantSecrets(db: Db, secrets: Sealer): number {
	let count = 0;
	db.transaction((tx) => {
		for (const row of storedTenants(tx)) {
			let raw = 0;
			const next = mapSecrets(row, (name, stored) => {
				if (isSealedText(stored)) return stored;
				raw++;
				return sealTenantSecret(secrets, row.slug, name, stored);
			});
			if (raw === 0) continue;
			tx.update(tenants).set(next).where(eq(tenants.id, row.id)).run();
			count += raw;
		}
	});
	return count;
}
