import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { backupAndCheck, describeReport } from './backup.js';

// npm run backup -- --out FILE: a consistent copy of the database while the server keeps serving, then checked.
const { values } = parseArgs({ options: { out: { type: 'string' } } });
if (!values.out) {
	console.error('Uso: npm run backup -- --out FILE');
	process.exit(2);
}
const { databasePath } = loadConfig(process.env);
if (!existsSync(databasePath)) {
	console.error(`Nessun database in ${databasePath}: controllare DATA_DIR o DATABASE_PATH.`);
	process.exit(1);
}
const out = resolve(values.out);
const report = await backupAndCheck(databasePath, out, resolve('drizzle')).catch((error: Error) => {
	console.error(`Backup non riuscito: ${error.message}`);
	process.exit(1);
});
if (report.problems.length) {
	console.error(`Backup scritto ma NON valido: ${describeReport(report)}`);
	process.exit(1);
}
console.log(`Backup scritto e verificato: ${describeReport(report)}`);
