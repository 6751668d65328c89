import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as schema from '../../server/db/schema.js';
import type { Db } from '../../server/db/client.js';
import { prepaidAccount, systemAccount } from '../../server/ledger/accounts.js';
import { postTransaction } from '../../server/ledger/post.js';

/**
 * A top-up written straight into a running server's SQLite file (WAL: the server sees it at its
 * next read), through the same postTransaction the app uses: for tests about what a credit shows,
 * not about how it arrives.
 */
export function creditDirectly(
	dbPath: string,
	c: { consumerId: number; serviceGroupId: number; amountCents: number; valueDate: string; description: string; externalId: string }
): void {
	const sqlite = new Database(dbPath, { fileMustExist: true });
	sqlite.pragma('busy_timeout = 5000');
	const db = drizzle(sqlite, { schema }) as Db;
	try {
		const tenantId = sqlite.prepare('SELECT tenant_id FROM consumers WHERE id = @id').pluck().get({ id: c.consumerId }) as number;
		const at = new Date(`${c.valueDate}T10:00:00Z`);
		db.transaction(() => {
			postTransaction(db, {
				tenantId,
				kind: 'test_credit',
				externalId: c.externalId,
				description: c.description,
				createdBy: null,
				at,
				postings: [
					{ accountId: prepaidAccount(db, tenantId, c.consumerId, c.serviceGroupId, at), amountCents: c.amountCents, valueDate: c.valueDate, description: c.description },
					{ accountId: systemAccount(db, tenantId, 'pagopa_clearing', at), amountCents: -c.amountCents, valueDate: c.valueDate, description: c.description }
				]
			});
		});
	} finally {
		sqlite.close();
	}
}
