import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { tenants } from '../../db/schema.js';
import { rows } from '../../meals/test-fixture.js';
import { createCart } from '../carts.js';
import { readPause, setPause } from './pause.js';
import { officeFixture, type OfficeFixture } from './test-helpers.js';

let o: OfficeFixture;
beforeEach(async () => {
	o = await officeFixture();
	// Settings of another feature, which a pause must leave alone.
	o.db.update(tenants).set({ paymentSettings: JSON.stringify({ segregationCode: '07', avvisoDueDays: 20 }) }).where(eq(tenants.id, o.mazze.id)).run();
});
const stored = () => JSON.parse(String(rows(o.db, 'SELECT payment_settings AS s FROM tenants WHERE id = ?', o.mazze.id)[0].s));
const MESSAGE = 'Il servizio di pagamento verrà riattivato il 10/01.';

describe('pausa pagamenti', () => {
	it('stores the window and message, keeps the other settings, and carts are refused inside it', () => {
		expect(readPause(o.db, o.clock, o.scope)).toEqual({ pause: null, now: { paused: false } });
		const view = setPause(o.db, o.clock, o.scope, o.actor, { from: '2026-11-01', resumeOn: '2027-01-10', message: MESSAGE });
		expect(view).toEqual({ pause: { from: '2026-11-01', resumeOn: '2027-01-10', message: MESSAGE }, now: { paused: true, message: MESSAGE, resumeOn: '2027-01-10' } });
		expect(stored()).toEqual({ segregationCode: '07', avvisoDueDays: 20, pause: { from: '2026-11-01', resumeOn: '2027-01-10', message: MESSAGE } });
		const tenant = o.tenant('mazze');
		const cart = createCart(o.db, o.clock, o.scope, tenant, { ...o.maria, codiceFiscale: 'RSSMRA85C52L219F' }, 'pagopa_avviso', [{ consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 1000 }]);
		expect(cart).toEqual({ status: 'rejected', code: 'PAYMENTS_PAUSED', message: MESSAGE });
		const audit = rows(o.db, "SELECT action, details FROM audit_log WHERE action LIKE 'payments.pause%'");
		expect(audit.map((a) => a.action)).toEqual(['payments.pause_set']);
	});

	it('a future window is stored but not yet in force; clearing removes it and is audited', () => {
		const view = setPause(o.db, o.clock, o.scope, o.actor, { from: '2026-12-22', resumeOn: '2027-01-10', message: MESSAGE });
		expect(view.now).toEqual({ paused: false });
		expect(setPause(o.db, o.clock, o.scope, o.actor, null)).toEqual({ pause: null, now: { paused: false } });
		expect(stored()).toEqual({ segregationCode: '07', avvisoDueDays: 20, pause: null });
		expect(rows(o.db, "SELECT action FROM audit_log WHERE action LIKE 'payments.pause%' ORDER BY id").map((a) => a.action)).toEqual(['payments.pause_set', 'payments.pause_cleared']);
		expect(readPause(o.db, o.clock, o.chiusiScope).pause).toBeNull();
	});
});
