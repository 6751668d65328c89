import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { configError } from '../config.js';
import { withSecureDelete, type Db } from '../db/client.js';
import { syncToDisk } from '../ops/backup.js';
import { createSealer, SEALING_KEY_BYTES, type Sealer } from './sealed.js';
import { checkAuthenticatorKeys, holdsSealedAuthenticatorKeys, sealAuthenticatorKeys } from './second-factor.js';
import { checkTenantSecrets, holdsSealedTenantSecrets, sealTenantSecrets } from '../tenants/tenant-secrets.js';

const refused = (path: string, why: string) => configError([{ name: 'SECRETS_KEY_FILE', shown: JSON.stringify(path), expected: why }]);
const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);

/** The key in the file; null when there is no file. */
function readKey(path: string): Buffer | null {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if (['ENOENT', 'ENOTDIR'].includes(codeOf(error))) return null;
		throw refused(path, `cannot be read (${codeOf(error)}): the server's user must be able to read it`);
	}
	const key = Buffer.from(text.trim(), 'base64');
	if (key.length !== SEALING_KEY_BYTES) throw refused(path, `expected ${SEALING_KEY_BYTES} bytes in base64, as the server writes it`);
	return key;
}

/**
 * A new key, on disk before anything is sealed under it: written beside, linked into place (which
 * fails if another process got there first: its key is the one) and synced with its directory. A
 * power cut must not leave sealed rows and an empty key file.
 */
function writeKey(path: string): Buffer {
	const partial = `${path}.${process.pid}.partial`;
	let written = false;
	try {
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(partial, `${randomBytes(SEALING_KEY_BYTES).toString('base64')}\n`, { mode: 0o600 });
		written = true;
		try {
			linkSync(partial, path);
		} catch (error) {
			if (codeOf(error) !== 'EEXIST') throw error;
		}
		syncToDisk(path);
	} catch (error) {
		throw refused(path, `cannot be written (${codeOf(error)}): the server writes its key there at the first start`);
	} finally {
		if (written) rmSync(partial, { force: true });
	}
	return readKey(path)!;
}

/**
 * The key the server seals its secrets under, from its file; the first start writes one (readable
 * by the server's user only). A missing or different key on a database that holds sealed secrets
 * stops the start with a message saying so, rather than locking every staff member out at login:
 * it is what a restore onto a new machine without the key file looks like.
 */
export function openSecrets(db: Db, path: string, log: (line: string, error?: unknown) => void): Sealer {
	let key = readKey(path);
	if (!key) {
		if (holdsSealedAuthenticatorKeys(db) || holdsSealedTenantSecrets(db)) {
			throw refused(path, 'not found, but the database holds secrets sealed under it: put back the key file kept apart from the backups (README, "Backup e ripristino")');
		}
		key = writeKey(path);
		log(`Chiave dei segreti creata: ${path} (conservarla a parte dai backup: senza, i secondi fattori del personale e le credenziali dei Comuni vanno reinseriti)`);
	}
	const secrets = createSealer(key);
	const keys = checkAuthenticatorKeys(db, secrets);
	const comuni = checkTenantSecrets(db, secrets);
	const sealed = keys.sealed + comuni.sealed;
	if (sealed > 0 && keys.unreadable.length + comuni.unreadable.length === sealed) throw refused(path, "not the key the database's secrets were sealed under (a key file from another installation?)");
	// One damaged row must not keep everyone else out: its owner uses a recovery code, or an admin resets it.
	if (keys.unreadable.length > 0) {
		log(`ATTENZIONE: chiavi dei secondi fattori illeggibili per gli utenti ${keys.unreadable.join(', ')}: usino un codice di recupero, o un amministratore le reimposti`, new Error('sealed authenticator keys that do not open'));
	}
	if (comuni.unreadable.length > 0) {
		log(`ATTENZIONE: credenziali dei Comuni illeggibili (${comuni.unreadable.join(', ')}): l'amministratore le reinserisca nella scheda del Comune`, new Error('sealed Comune secrets that do not open'));
	}
	const raw = withSecureDelete(db, () => ({ keys: sealAuthenticatorKeys(db, secrets), comuni: sealTenantSecrets(db, secrets) }));
	if (raw.keys > 0) log(`Chiavi dei secondi fattori sigillate: ${raw.keys}`);
	if (raw.comuni > 0) log(`Credenziali dei Comuni sigillate: ${raw.comuni}`);
	return secrets;
}
