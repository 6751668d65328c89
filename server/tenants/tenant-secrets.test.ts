import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createSealer } from '../auth/sealed.js';
import { tenants } from '../db/schema.js';
import { fixtureOf, seededDb } from '../meals/test-fixture.js';
import { checkTenantSecrets, ensureSimulatorSecret, holdsSealedTenantSecrets, isSealedText, readTenantSecret, requiredTenantSecret, sealTenantSecret, sealTenantSecrets, TenantSecretUnavailable, verifyingSecret } from './tenant-secrets.js';

const secrets = createSealer(randomBytes(32));

describe('a Comune’s sealed credentials', () => {
	it('open to what was sealed, for that Comune and that field only', () => {
		const sealed = sealTenantSecret(secrets, 'mazze', 'receiptSecret', 'segreto-delle-ricevute-di-mazze-2026');
		expect(isSealedText(sealed)).toBe(true);
		expect(sealed).not.toContain('segreto');
		expect(readTenantSecret(secrets, 'mazze', 'receiptSecret', sealed)).toEqual({ status: 'set', value: 'segreto-delle-ricevute-di-mazze-2026' });
		expect(readTenantSecret(secrets, 'chiusi-della-verna', 'receiptSecret', sealed)).toEqual({ status: 'unreadable' });
		expect(readTenantSecret(secrets, 'mazze', 'lisSecret', sealed)).toEqual({ status: 'unreadable' });
		expect(() => requiredTenantSecret(createSealer(randomBytes(32)), 'mazze', 'receiptSecret', sealed)).toThrow(/va reinserito dall'amministratore/);
		// A checker treats a value that does not open as no secret: it authenticates nobody.
		expect(verifyingSecret(secrets, 'mazze', 'lisSecret', sealed)).toBeNull();
	});

	it('read a value stored in clear as it is, and nothing as unset', () => {
		expect(readTenantSecret(secrets, 'mazze', 'lisSecret', 'chiave-in-chiaro-di-prima')).toEqual({ status: 'set', value: 'chiave-in-chiaro-di-prima' });
		expect(readTenantSecret(secrets, 'mazze', 'lisSecret', null)).toEqual({ status: 'unset' });
		expect(readTenantSecret(secrets, 'mazze', 'lisSecret', '')).toEqual({ status: 'unset' });
		expect(() => requiredTenantSecret(secrets, 'mazze', 'oidcClientSecret', null)).toThrow(TenantSecretUnavailable);
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

describe('the start’s sealing pass', () => {
	it('leaves alone a payment settings value that is not an object, and a shared secret too short to pass the form', async () => {
		const db = await seededDb();
		const { mazze, chiusi } = fixtureOf(db);
		db.update(tenants).set({ paymentSettings: '{non è json', oidcClientSecret: 'segreto-del-client-in-chiaro' }).where(eq(tenants.id, mazze.id)).run();
		db.update(tenants).set({ paymentSettings: JSON.stringify({ receiptSecret: 'corto', lisSecret: 'l'.repeat(40), pagopa: null }) }).where(eq(tenants.id, chiusi.id)).run();
		expect(sealTenantSecrets(db, secrets)).toBe(2);
		const row = (id: number) => db.select().from(tenants).where(eq(tenants.id, id)).get()!;
		expect(row(mazze.id).paymentSettings).toBe('{non è json');
		expect(isSealedText(row(mazze.id).oidcClientSecret!)).toBe(true);
		const settings = JSON.parse(row(chiusi.id).paymentSettings);
		// Still in clear, so readPaymentSettings refuses it as before: the payments of that Comune stop loudly.
		expect(settings.receiptSecret).toBe('corto');
		expect(isSealedText(settings.lisSecret)).toBe(true);
		expect(checkTenantSecrets(db, secrets)).toEqual({ sealed: 2, unreadable: [] });
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
		expect(requiredTenantSecret(secrets, mazze.slug, 'receiptSecret', stored.receiptSecret)).toBe(first);
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
