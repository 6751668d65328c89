import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createSealer, type Sealer } from '../../server/auth/sealed.js';

/** The sealer of a test server whose database is `dbPath`: its key file lies beside it (SECRETS_KEY_FILE's default). */
export const serverSecrets = (dbPath: string): Sealer => createSealer(Buffer.from(readFileSync(join(dirname(dbPath), 'secrets.key'), 'utf8').trim(), 'base64'));
