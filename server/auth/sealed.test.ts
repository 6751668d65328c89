import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSealer, isSealed, SealError } from './sealed.js';

const secret = new Uint8Array(randomBytes(20));

describe('sealed secrets', () => {
	const sealer = createSealer(randomBytes(32));

	it('open gives back what seal took, and the sealed value does not contain it', () => {
		const sealed = sealer.seal(secret, 'totp:u1');
		expect(isSealed(sealed)).toBe(true);
		expect(sealed.includes(Buffer.from(secret))).toBe(false);
		expect(sealer.open(sealed, 'totp:u1')).toEqual(secret);
	});

	it('seals the same secret differently each time', () => {
		expect(sealer.seal(secret, 'totp:u1').equals(sealer.seal(secret, 'totp:u1'))).toBe(false);
	});

	it('refuses a value sealed under another key, for another context, or altered', () => {
		const sealed = sealer.seal(secret, 'totp:u1');
		expect(() => createSealer(randomBytes(32)).open(sealed, 'totp:u1')).toThrow(SealError);
		expect(() => sealer.open(sealed, 'totp:u2')).toThrow(SealError);
		const altered = Buffer.from(sealed);
		altered[20] ^= 1;
		expect(() => sealer.open(altered, 'totp:u1')).toThrow(SealError);
	});

	it('tells a raw 20-byte key from a sealed one', () => {
		expect(isSealed(secret)).toBe(false);
		expect(isSealed(Buffer.concat([Buffer.from('MAS1'), secret]))).toBe(false);
		expect(() => sealer.open(secret, 'totp:u1')).toThrow(SealError);
	});

	it('takes only a 32-byte key', () => {
		expect(() => createSealer(randomBytes(16))).toThrow();
	});
});
