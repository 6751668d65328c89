import { loadConfig } from '../config.js';
import { openDb } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';

// npm run check-ledger: exits 1 and lists the problems when an invariant of the ledger fails.
const db = openDb(loadConfig(process.env).databasePath);
const problems = checkLedger(db);
for (const p of problems) console.error(`${p.kind}: ${p.detail}`);
console.log(problems.length === 0 ? 'Registro contabile coerente.' : `${problems.length} problemi.`);
process.exit(problems.length === 0 ? 0 : 1);
