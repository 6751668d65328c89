import { randomBytes } from 'node:crypto';
import type { Db } from '../../../db/client.js';
import { readPaymentSettings } from '../../settings.js';

/**
 * In simulator mode nobody hands the Comune a receipt secret, so the simulator makes one (32
 * random bytes) the first time it needs it and stores it in the Comune's payment settings,
 * where the receiver reads it: both ends share it through the database. Set once, atomically,
 * so two first payments at the same time agree on it. In live mode the operator sets it.
 */
export function ensureReceiptSecret(db: Db, tenantId: number): string {
	const fresh = randomBytes(32).toString('base64url');
	db.$client
		.prepare(
			`UPDATE tenants SET payment_settings = json_set(coalesce(nullif(payment_settings, ''), '{}'), '$.receiptSecret', @fresh)
			 WHERE id = @id AND json_extract(coalesce(nullif(payment_settings, ''), '{}'), '$.receiptSecret') IS NULL`
		)
		.run({ fresh, id: tenantId });
	const row = db.$client.prepare('SELECT payment_settings AS s FROM tenants WHERE id = ?').get(tenantId) as { s: string };
	return readPaymentSettings(row.s).receiptSecret!;
}
