import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../auth/sealed.js';
import { tenants } from '../db/schema.js';
import { fixtureOf, seededDb } from '../meals/test-fixture.js';
import { checkTenantSecrets, ensureSimulatorSecret, holdsSealedTenantSecrets, isSealedText, openTenantSecret, sealTenantSecret, TenantSecretUnreadable, verifyingSecret } from './tenant-secrets.js';

const secrets = createSealer(randomBytes(32));

describe('a Comune’s sealed credentials', () => {
	it('open to what was sealed, for that Comune and that field only', () => {
		const sealed = sealTenantSecret(secrets, 'mazze', 'receiptSecret', 'segreto-delle-ricevute-di-mazze-2026');
		expect(isSealedText(sealed)).toBe(true);
		expect(sealed).not.toContain('segreto');
		expect(openTenantSecret(secrets, 'mazze', 'receiptSecret', sealed)).toBe('segreto-delle-ricevute-di-mazze-2026');
		expect(() => openTenantSecret(secrets, 'chiusi-della-verna', 'receiptSecret', sealed)).toThrow(TenantSecretUnreadable);
		expect(() => openTenantSecret(secrets, 'mazze', 'lisSecret', sealed)).toThrow(TenantSecretUnreadable);
		expect(() => openTenantSecret(createSealer(randomBytes(32)), 'mazze', 'receiptSecret', sealed)).toThrow(/va reinserito dall'amministratore/);
		// A checker treats a value that does not open as no secret: it authenticates nobody.
		expect(verifyingSecret(secrets, 'mazze', 'lisSecret', sealed)).toBeNull();
	});

	it('read a value stored in clear as it is, and nothing as null', () => {
		expect(openTenantSecret(secrets, 'mazze', 'lisSecret', 'chiave-in-chiaro-di-prima')).toBe('chiave-in-chiaro-di-prima');
		expect(openTenantSecret(secrets, 'mazze', 'lisSecret', null)).toBeNull();
		expect(openTenantSecret(secrets, 'mazze', 'lisSecret', '')).toBeNull();
	});

	it('are counted, and the ones that do not open named, by the start’s check', async () => {
		const db = await seededDb();
		const { mazze, chiusi } = fixtureOf(db);
		expect(holdsSealedTenantSecrets(db)).toBe(false);
		db.update(tenants).set({ paymentSettings: JSON.stringify({ lisSecret: sealTenantSecret(secrets, mazze.slug, 'lisSecret', 'a'.repeat(40)) }) }).where(eq(tenants.id, mazze.id)).run();
		db.update(tenants).set({ oidcClientSecret: sealTenantSecret(createSealer(randomBytes(32)), chiusi.slug, 'oidcClientSecret', 'x') }).where(eq(tenants.id, chiusi.id)).run();
		expect(holdsSealedTenantSecrets(db)).toBe(true);
		expect(checkTenantSecrets(db, secrets)).toEqual({ sealed: 2, unreadable: [`${chiusi.slug}.oidcClientSecret`] });
	});
});

describe('a simulated Comune’s shared secret', () => {
	it('is made once, stored sealed beside the other settings, and the same at every later use', async () => {
		const db = await seededDb();
		const { mazze } = fixtureOf(db);
		db.update(tenants).set({ paymentSettings: JSON.stringify({ segregationCode: '07' }) }).where(eq(tenants.id, mazze.id)).run();
		let made = 0;
		const make = () => `fatto-al-primo-uso-${++made}-${'z'.repeat(20)}`;
		const first = ensureSimulatorSecret(db, secrets, mazze.id, 'receiptSecret', make);
		expect(ensureSimulatorSecret(db, secrets, mazze.id, 'receiptSecret', make)).toBe(first);
		expect(made).toBe(1);
		const stored = JSON.parse(db.select().from(tenants).where(eq(tenants.id, mazze.id)).get()!.paymentSettings);
		expect(stored).toEqual({ segregationCode: '07', receiptSecret: expect.stringMatching(/^sealed:/) });
		expect(openTenantSecret(secrets, mazze.slug, 'receiptSecret', stored.receiptSecret)).toBe(first);
	});

	it('is replaced when it no longer opens here: nobody outside holds it', async () => {
		const db = await seededDb();
		const { mazze } = fixtureOf(db);
		const lost = ensureSimulatorSecret(db, createSealer(randomBytes(32)), mazze.id, 'lisSecret', () => 'l'.repeat(64));
		const fresh = ensureSimulatorSecret(db, secrets, mazze.id, 'lisSecret', () => 'n'.repeat(64));
		expect([lost, fresh]).toEqual(['l'.repeat(64), 'n'.repeat(64)]);
		expect(ensureSimulatorSecret(db, secrets, mazze.id, 'lisSecret', () => 'o'.repeat(64))).toBe(fresh);
	});
});
