import { randomBytes } from 'node:crypto';
import type { Db } from '../../../db/client.js';
import type { Sealer } from '../../../auth/sealed.js';
import { ensureSimulatorSecret } from '../../../tenants/tenant-secrets.js';

/**
 * In simulator mode nobody hands the Comune a receipt secret, so the simulator makes one (32
 * random bytes) the first time it needs it and stores it, sealed, in the Comune's payment
 * settings, where the receiver reads it: both ends share it through the database. In live mode
 * the operator sets it.
 */
export function ensureReceiptSecret(db: Db, secrets: Sealer, tenantId: number): string {
	return ensureSimulatorSecret(db, secrets, tenantId, 'receiptSecret', () => randomBytes(32).toString('base64url'));
}
