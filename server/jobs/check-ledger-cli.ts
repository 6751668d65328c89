import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { findTenantBySlug } from '../tenants/tenants.js';

// npm run check-ledger [-- --tenant <slug>]: exits 1 and lists the problems when an invariant of the ledger fails.
const { values } = parseArgs({ options: { tenant: { type: 'string' } } });
const db = openDb(loadConfig(process.env).databasePath);
let tenantId: number | null = null;
if (values.tenant) {
	const tenant = findTenantBySlug(db, values.tenant);
	if (!tenant) {
		console.error(`Comune "${values.tenant}" inesistente.`);
		process.exit(2);
	}
	tenantId = tenant.id;
}
const problems = checkLedger(db, tenantId);
for (const p of problems) console.error(`${p.kind}: ${p.detail}`);
console.log(problems.length === 0 ? 'Registro contabile coerente.' : `${problems.length} problemi.`);
process.exit(problems.length === 0 ? 0 : 1);
