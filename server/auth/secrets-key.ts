import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';
import type { Db } from '../db/client.js';
import { createSealer, SEALING_KEY_BYTES, type Sealer } from './sealed.js';
import { holdsSealedAuthenticatorKeys, opensAuthenticatorKeys, sealAuthenticatorKeys } from './second-factor.js';

const refused = (path: string, why: string) => new ConfigError(`Invalid configuration, the server did not start:\n  SECRETS_KEY_FILE=${JSON.stringify(path)}: ${why}`);

/**
 * The key the server seals its secrets under, from its file. The first start writes one (readable
 * by the server's user only). A missing or different key on a database that holds sealed secrets
 * stops the start with a message saying so, rather than locking every staff member out at login:
 * it is what a restore onto a new machine without the key file looks like.
 */
export function openSecrets(db: Db, path: string, log: (line: string) => void): Sealer {
	let key: Buffer;
	if (existsSync(path)) {
		key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
		if (key.length !== SEALING_KEY_BYTES) throw refused(path, `expected ${SEALING_KEY_BYTES} bytes in base64, as the server writes it`);
	} else if (holdsSealedAuthenticatorKeys(db)) {
		throw refused(path, 'not found, but the database holds authenticator keys sealed under it: put back the key file kept apart from the backups (README, "Backups")');
	} else {
		key = randomBytes(SEALING_KEY_BYTES);
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
		log(`Chiave dei segreti creata: ${path} (conservarla a parte dai backup: senza, i secondi fattori del personale vanno riattivati)`);
	}
	const secrets = createSealer(key);
	if (!opensAuthenticatorKeys(db, secrets)) throw refused(path, 'not the key the database\'s authenticator keys were sealed under (a key file from another installation?)');
	const sealed = sealAuthenticatorKeys(db, secrets);
	if (sealed > 0) log(`Chiavi dei secondi fattori sigillate: ${sealed}`);
	return secrets;
}
