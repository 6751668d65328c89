import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { describeReport } from './backup.js';
import { restoreDatabase, RestoreRefused } from './restore.js';

// npm run restore -- FILE: with the server stopped, puts a checked backup in place of DATA_DIR's (or DATABASE_PATH's) database.
const [file, ...rest] = process.argv.slice(2);
if (!file || rest.length) {
	console.error('Uso: npm run restore -- FILE (con il servizio fermo)');
	process.exit(2);
}
const { databasePath: target, secretsKeyFile } = loadConfig(process.env);
try {
	const { report, replacedAs } = restoreDatabase({ source: resolve(file), target, migrationsFolder: resolve('drizzle'), clock: systemClock });
	console.log(`Ripristinato: ${describeReport(report)}`);
	console.log(replacedAs ? `Il database sostituito è conservato in ${replacedAs}` : 'Non c’era un database da sostituire.');
	// The backup does not carry the key the staff's authenticator keys and the Comuni's credentials are sealed under (README, "Backup e ripristino").
	if (report.sealedSecrets && !existsSync(secretsKeyFile)) {
		console.log(`Manca la chiave dei segreti ${secretsKeyFile} (SECRETS_KEY_FILE): rimetti quella conservata a parte prima di avviare il servizio, che altrimenti non parte.`);
	}
} catch (error) {
	if (!(error instanceof RestoreRefused)) throw error;
	console.error(error.message);
	process.exit(1);
}
