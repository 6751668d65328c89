import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../config.js';
import { describeReport, inspectDatabase, writeBackup } from './backup.js';

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
// A connection of its own: the server's writers wait at most busy_timeout for the moment it needs.
const live = new Database(databasePath, { fileMustExist: true, timeout: 5_000 });
const out = resolve(values.out);
try {
	await writeBackup(live, out);
} catch (error) {
	console.error(`Backup non riuscito: ${(error as Error).message}`);
	process.exit(1);
} finally {
	live.close();
}
const report = inspectDatabase(out, resolve('drizzle'));
if (report.problems.length) {
	console.error(`Backup scritto ma NON valido: ${describeReport(report)}`);
	process.exit(1);
}
console.log(`Backup scritto e verificato: ${describeReport(report)}`);
