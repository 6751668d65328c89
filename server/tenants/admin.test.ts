import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fixedClock } from '../clock.js';
import { auditLog, tenants } from '../db/schema.js';
import { seededDb, fixtureOf, NOV_2026 } from '../meals/test-fixture.js';
import { CreateTenantInput, UpdateTenantInput } from '../../src/lib/shared/setup-schemas.js';
import { readPaymentSettings } from '../payments/settings.js';
import { checkLogo } from './logo.js';
import { createTenant, tenantForAdmin, updateTenant } from './admin.js';
import { requiredTenantSecret } from './tenant-secrets.js';
import { randomBytes } from 'node:crypto';
import { createSealer } from '../auth/sealed.js';

const secrets = createSealer(randomBytes(32));

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const dataUrl = (bytes: Buffer, type = 'application/octet-stream') => `data:${type};base64,${bytes.toString('base64')}`;

describe('checkLogo', () => {
	it('takes the type from the bytes, whatever the label says', () => {
		expect(checkLogo(dataUrl(PNG, 'image/jpeg'))).toEqual({ status: 'ok', dataUrl: `data:image/png;base64,${PNG.toString('base64')}` });
		const svg = Buffer.from('<?xml version="1.0"?>\n<!-- logo -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>');
		expect(checkLogo(dataUrl(svg, 'image/png'))).toMatchObject({ status: 'ok', dataUrl: expect.stringMatching(/^data:image\/svg\+xml;base64,/) });
	});

	it('refuses what is not a PNG or a plain SVG, and anything over 100 KB', () => {
		expect(checkLogo(dataUrl(Buffer.from('GIF89a……')))).toEqual({ status: 'rejected', message: 'Logo: il file non è un’immagine PNG o SVG' });
		expect(checkLogo(dataUrl(Buffer.from('<html><svg></svg></html>')))).toMatchObject({ status: 'rejected' });
		expect(checkLogo(dataUrl(Buffer.from('<svg onload="alert(1)"></svg>')))).toMatchObject({ status: 'rejected', message: expect.stringMatching(/script/) });
		expect(checkLogo(dataUrl(Buffer.from('<svg><image href="https://evil.example/x.png"/></svg>')))).toMatchObject({ status: 'rejected' });
		expect(checkLogo(dataUrl(Buffer.concat([PNG, Buffer.alloc(100 * 1024)])))).toEqual({ status: 'rejected', message: 'Logo: al massimo 100 KB' });
	});
});

const actor = { userId: 'admin', ip: '127.0.0.1' };
const caluso = CreateTenantInput.parse({
	slug: 'caluso',
	name: 'Calùso',
	province: 'to',
	codiceFiscaleEnte: '83001730015',
	contactOffice: 'Ufficio scuola',
	contactName: '',
	contactPhone: '011 9891911',
	contactEmail: '',
	cutoffTime: '09:00',
	spidEnabled: false,
	cieEnabled: false,
	oidcIssuer: '',
	oidcClientId: '',
	oidcClientSecret: '',
	segregationCode: '02',
	pagopaMode: 'simulator',
	checkoutBaseUrl: '',
	gpdBaseUrl: '',
	checkoutSubscriptionKey: '',
	gpdSubscriptionKey: '',
	iban: '',
	transferCategory: '',
	receiptSecret: '',
	lisMode: 'simulator',
	lisSecret: '',
	letterInstructions: 'Attivate il codice.'
});

describe('a Comune, created and edited by the platform admin', () => {
	it('folds the name for the picker and stores the payment settings through their own schema', async () => {
		const db = await seededDb();
		const r = createTenant(db, fixedClock(NOV_2026), secrets, actor, caluso);
		expect(r.status).toBe('saved');
		const t = db.select().from(tenants).where(eq(tenants.slug, 'caluso')).get()!;
		expect(t).toMatchObject({ name: 'Calùso', searchName: 'caluso', province: 'TO', cutoffTime: '09:00', letterInstructions: 'Attivate il codice.' });
		expect(readPaymentSettings(t.paymentSettings)).toMatchObject({ segregationCode: '02', pagopa: { mode: 'simulator' }, receiptSecret: null });
		expect(db.select().from(auditLog).where(eq(auditLog.action, 'tenant.create')).all()).toHaveLength(1);
	});

	it('saves a Comune left as it is: the values it was shown pass the form, the office phone with its extension too', async () => {
		const db = await seededDb();
		const { mazze, chiusi } = fixtureOf(db);
		for (const t of [mazze, chiusi]) {
			const input = UpdateTenantInput.parse({ ...tenantForAdmin(db, secrets, t.id)!.values, tenantId: t.id });
			expect(updateTenant(db, fixedClock(NOV_2026), secrets, actor, input).status).toBe('saved');
		}
		expect(db.select().from(tenants).where(eq(tenants.id, mazze.id)).get()!.contactPhone).toBe('011/9835901 int.1');
		const phoneOf = (contactPhone: string) => UpdateTenantInput.safeParse({ ...tenantForAdmin(db, secrets, mazze.id)!.values, tenantId: mazze.id, contactPhone });
		expect(phoneOf('+39 011 9835901 interno 12').success).toBe(true);
		expect(phoneOf('011 9835901 chiedere di Anna').error?.issues[0].message).toBe('Telefono: usa cifre, spazi, / e il prefisso +; un interno come «int. 1»');
	});

	it('opens a Comune whose payment settings were damaged by hand, says so, and saving the form mends them', async () => {
		const db = await seededDb();
		const { mazze } = fixtureOf(db);
		for (const [stored, problem] of [
			['{non è json', 'non sono JSON valido'],
			[JSON.stringify({ receiptSecret: 'corto', segregationCode: '7' }), /segregationCode: .*; receiptSecret: /]
		] as const) {
			db.update(tenants).set({ paymentSettings: stored }).where(eq(tenants.id, mazze.id)).run();
			expect(() => readPaymentSettings(stored), 'the payments still refuse it').toThrow();
			const form = tenantForAdmin(db, secrets, mazze.id)!;
			expect(form.storedProblem).toMatch(problem);
			expect(form.storedProblem).toContain('i pagamenti di questo Comune sono fermi');
			expect(form.values).toMatchObject({ segregationCode: '01', pagopaMode: 'simulator', receiptSecret: '' });
			expect(updateTenant(db, fixedClock(NOV_2026), secrets, actor, UpdateTenantInput.parse({ ...form.values, tenantId: mazze.id })).status).toBe('saved');
			expect(readPaymentSettings(db.select().from(tenants).where(eq(tenants.id, mazze.id)).get()!.paymentSettings)).toMatchObject({ segregationCode: '01', receiptSecret: null });
			expect(tenantForAdmin(db, secrets, mazze.id)!.storedProblem).toBeNull();
		}
	});

	it('refuses a slug or a codice fiscale another Comune has, and writes nothing', async () => {
		const db = await seededDb();
		const r = createTenant(db, fixedClock(NOV_2026), secrets, actor, { ...caluso, slug: 'mazze', codiceFiscaleEnte: '84001550015' });
		expect(r).toMatchObject({ status: 'rejected', fieldErrors: { slug: 'Indirizzo: già usato da un altro Comune', codiceFiscaleEnte: expect.stringMatching(/già registrato/) } });
		expect(db.select().from(tenants).all()).toHaveLength(2);
	});

	it('needs the keys and the receipt secret for pagoPA in production, keeps a secret left empty, and never shows it back', async () => {
		const db = await seededDb();
		const clock = fixedClock(NOV_2026);
		const { mazze } = fixtureOf(db);
		const form = tenantForAdmin(db, secrets, mazze.id)!;
		const live = { ...form.values, tenantId: mazze.id, pagopaMode: 'live' as const, checkoutBaseUrl: 'https://api.platform.pagopa.it', gpdBaseUrl: 'https://api.platform.pagopa.it', iban: 'IT60X0542811101000000123456', transferCategory: '9/0101108TS/' };
		expect(updateTenant(db, clock, secrets, actor, live)).toMatchObject({
			status: 'rejected',
			fieldErrors: { checkoutSubscriptionKey: expect.any(String), gpdSubscriptionKey: expect.any(String), receiptSecret: expect.stringMatching(/obbligatorio/) }
		});
		const secret = 'r'.repeat(28) + 'WXYZ';
		expect(updateTenant(db, clock, secrets, actor, { ...live, checkoutSubscriptionKey: 'chiave-checkout-1', gpdSubscriptionKey: 'chiave-gpd-1', receiptSecret: secret }).status).toBe('saved');
		expect(updateTenant(db, clock, secrets, actor, { ...live, contactName: 'Anna Bruno' }).status).toBe('saved');
		const after = tenantForAdmin(db, secrets, mazze.id)!;
		expect(after.values).toMatchObject({ contactName: 'Anna Bruno', pagopaMode: 'live', receiptSecret: '', checkoutSubscriptionKey: '' });
		expect(after.secrets).toMatchObject({ receiptSecret: '••••WXYZ', checkoutSubscriptionKey: '••••ut-1' });
		expect(JSON.stringify(after)).not.toContain(secret);
		// Stored sealed, and what is stored opens to what was typed.
		const stored = db.select().from(tenants).where(eq(tenants.id, mazze.id)).get()!;
		expect(JSON.stringify(stored)).not.toContain(secret);
		expect(JSON.stringify(stored)).not.toContain('chiave-checkout-1');
		const settings = readPaymentSettings(stored.paymentSettings);
		expect(requiredTenantSecret(secrets, 'mazze', 'receiptSecret', settings.receiptSecret)).toBe(secret);
		expect(settings.pagopa.mode === 'live' && requiredTenantSecret(secrets, 'mazze', 'checkoutSubscriptionKey', settings.pagopa.checkoutSubscriptionKey)).toBe('chiave-checkout-1');
		const audited = db.select().from(auditLog).where(eq(auditLog.action, 'tenant.update')).all();
		expect(audited.map((a) => JSON.parse(a.details).changed)).toEqual([['paymentSettings'], ['contactName']]);
		expect(audited.map((a) => a.details).join()).not.toContain(secret);
	});
});
