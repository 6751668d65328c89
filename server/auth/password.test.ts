import { describe, expect, it } from 'vitest';
import { MIN_PASSWORD_LENGTH, checkPasswordStrength, hashPassword, passwordProblemMessages, verifyPassword } from './password.js';

describe('checkPasswordStrength', () => {
	it('needs at least 10 characters', () => {
		expect(MIN_PASSWORD_LENGTH).toBe(10);
		expect(checkPasswordStrength('')).toBe('too_short');
		expect(checkPasswordStrength('Zq7!mR2#x')).toBe('too_short'); // 9 characters
		expect(checkPasswordStrength('Zq7!mR2#xW')).toBeNull(); // 10 characters
	});

	it('counts characters, not UTF-16 units', () => {
		// 9 emoji are 18 UTF-16 units but 9 characters.
		expect(checkPasswordStrength('🍝🍕🥗🍎🍐🍇🥕🧀🥖')).toBe('too_short');
		expect(checkPasswordStrength('🍝🍕🥗🍎🍐🍇🥕🧀🥖🍋')).toBeNull();
	});

	it.each(['password123', 'PASSWORD123', 'Password123', 'qwertyuiop', 'QwErTyUiOp', '1234567890'])('refuses the common password %j', (p) => {
		expect(checkPasswordStrength(p)).toBe('too_common');
	});

	it.each(['aaaaaaaaaaaa', '1111111111', 'ZZZZZZZZZZZZZZZZ', '!!!!!!!!!!'])('refuses one repeated character: %j', (p) => {
		expect(checkPasswordStrength(p)).toBe('too_common');
	});

	it('refuses the e-mail local part, the given name and the family name', () => {
		const email = 'giovanni.ferrari@example.com';
		const personal = [email.split('@')[0], 'Giovanni', 'Ferrari'];
		expect(checkPasswordStrength('giovanni.ferrari', personal)).toBe('too_common');
		expect(checkPasswordStrength('Giovanni.Ferrari', personal)).toBe('too_common');
		expect(checkPasswordStrength('GiovanniFerrari', personal)).toBe('too_common');
		expect(checkPasswordStrength('ferrariferrari', ['ferrariferrari'])).toBe('too_common');
		// Without the personal words the same password is fine.
		expect(checkPasswordStrength('giovanni.ferrari')).toBeNull();
	});

	it('ignores personal words shorter than 4 letters', () => {
		expect(checkPasswordStrength('Bob-e-la-sua-bici', ['bob'])).toBeNull();
	});

	it('accepts a decent passphrase', () => {
		expect(checkPasswordStrength('cavallo batteria graffetta corretto')).toBeNull();
		expect(checkPasswordStrength('Pane-Burro-Marmellata-42', ['giovanni.ferrari', 'Giovanni', 'Ferrari'])).toBeNull();
		expect(checkPasswordStrength('MensaAperta-2026')).toBeNull();
	});

	it('has an Italian message for each problem', () => {
		expect(passwordProblemMessages.too_short).toContain('10');
		expect(passwordProblemMessages.too_common).toMatch(/comune/);
	});
});

describe('hashPassword / verifyPassword', () => {
	it('round-trips and refuses a wrong password', async () => {
		const hash = await hashPassword('cavallo batteria graffetta');
		expect(await verifyPassword(hash, 'cavallo batteria graffetta')).toBe(true);
		expect(await verifyPassword(hash, 'cavallo batteria graffettA')).toBe(false);
		expect(await verifyPassword(hash, 'cavallo batteria graffetta ')).toBe(false);
		expect(await verifyPassword(hash, '')).toBe(false);
	});

	it('uses argon2id with the OWASP parameters', async () => {
		const hash = await hashPassword('cavallo batteria graffetta');
		expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
		expect(hash).not.toContain('cavallo');
	});

	it('salts every hash', async () => {
		const a = await hashPassword('stessa password per due');
		const b = await hashPassword('stessa password per due');
		expect(a).not.toBe(b);
		expect(await verifyPassword(a, 'stessa password per due')).toBe(true);
		expect(await verifyPassword(b, 'stessa password per due')).toBe(true);
	});

	it('normalizes Unicode (NFKC) so that the same text typed differently matches', async () => {
		const hash = await hashPassword('caffè-corretto-grappa');
		// "e" + combining grave accent instead of the precomposed "è".
		expect(await verifyPassword(hash, 'caffe\u0300-corretto-grappa')).toBe(true);
		expect(await verifyPassword(hash, 'caffe-corretto-grappa')).toBe(false);
	});
});
