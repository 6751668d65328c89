import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Secrets the server must read back, such as a staff member's authenticator key, cannot be hashed
 * like a password: they are sealed instead (AES-256-GCM) under a key kept outside the database,
 * so that a copy of the database file or of its backups does not hand out second factors. The
 * context (whose secret, for what) is bound in: a sealed value moved to another row does not open.
 */
export interface Sealer {
	seal(plain: Uint8Array, context: string): Buffer;
	/** throws SealError when the value was sealed under another key or context, or altered */
	open(sealed: Uint8Array, context: string): Uint8Array;
}

export class SealError extends Error {}

export const SEALING_KEY_BYTES = 32;
const MAGIC = Buffer.from('MAS1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A raw authenticator key (20 bytes) can never look like this: the check a migration needs. */
export function isSealed(value: Uint8Array): boolean {
	return value.length > MAGIC.length + IV_BYTES + TAG_BYTES && Buffer.from(value.subarray(0, MAGIC.length)).equals(MAGIC);
}

export function createSealer(key: Uint8Array): Sealer {
	if (key.length !== SEALING_KEY_BYTES) throw new Error(`a sealing key is ${SEALING_KEY_BYTES} bytes`);
	const aad = (context: string) => Buffer.concat([MAGIC, Buffer.from(context, 'utf8')]);
	return {
		seal(plain, context) {
			const iv = randomBytes(IV_BYTES);
			const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(context));
			const body = Buffer.concat([cipher.update(plain), cipher.final()]);
			return Buffer.concat([MAGIC, iv, body, cipher.getAuthTag()]);
		},
		open(sealed, context) {
			if (!isSealed(sealed)) throw new SealError('not a sealed value');
			const bytes = Buffer.from(sealed);
			const iv = bytes.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
			const decipher = createDecipheriv('aes-256-gcm', key, iv).setAAD(aad(context));
			decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
			try {
				return new Uint8Array(Buffer.concat([decipher.update(bytes.subarray(MAGIC.length + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]));
			} catch {
				throw new SealError('sealed under another key or for another use, or altered');
			}
		}
	};
}
