import { eq } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { tenants } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { recordAudit } from '../../audit/log.js';
import { zonedDate } from '../../calendar/zoned-time.js';
import { paymentsPause, readPaymentSettings, type PaymentSettings, type PaymentsPause } from '../settings.js';
import type { OfficeActor } from './counter-topup.js';

export interface PauseView {
	/** what is stored, also when it is over or not yet begun */
	pause: PaymentSettings['pause'];
	/** what a guardian meets today */
	now: PaymentsPause;
}

function settingsOf(db: Pick<Db, 'select'>, scope: TenantScope) {
	const row = db.select({ paymentSettings: tenants.paymentSettings, timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, scope.tenantId)).get()!;
	return { raw: JSON.parse(row.paymentSettings || '{}') as Record<string, unknown>, timezone: row.timezone };
}

export function readPause(db: Db, clock: Clock, scope: TenantScope): PauseView {
	const { raw, timezone } = settingsOf(db, scope);
	const settings = readPaymentSettings(JSON.stringify(raw));
	return { pause: settings.pause, now: paymentsPause(settings, zonedDate(clock.now(), timezone)) };
}

/**
 * Sets (or, with null, clears) the Comune's payments pause. Only the `pause` key is written: the
 * other settings (secrets, pagoPA mode) stay as stored, and the whole must still be valid.
 */
export function setPause(db: Db, clock: Clock, scope: TenantScope, actor: OfficeActor, pause: PaymentSettings['pause']): PauseView {
	db.transaction((tx) => {
		const { raw } = settingsOf(tx, scope);
		const next = { ...raw, pause };
		readPaymentSettings(JSON.stringify(next));
		tx.update(tenants).set({ paymentSettings: JSON.stringify(next) }).where(eq(tenants.id, scope.tenantId)).run();
		recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: pause ? 'payments.pause_set' : 'payments.pause_cleared', entity: 'tenant', entityId: scope.tenantId, details: { before: raw.pause ?? null, after: pause }, ip: actor.ip });
	});
	return readPause(db, clock, scope);
}
