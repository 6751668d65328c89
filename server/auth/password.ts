import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane (argon2id is the library default).
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 };

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
	return hash(password.normalize('NFKC'), ARGON2_OPTIONS);
}

export function verifyPassword(hashed: string, password: string): Promise<boolean> {
	return verify(hashed, password.normalize('NFKC'));
}

let common: Set<string> | undefined;

/** zxcvbn-ts' list of ~49,000 passwords seen most often in breaches. */
function commonPasswords(): Set<string> {
	common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
	return common;
}

export type PasswordProblem = 'too_short' | 'too_common';

export function checkPasswordStrength(password: string, personal: string[] = []): PasswordProblem | null {
	if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
	const lower = password.toLowerCase();
	if (commonPasswords().has(lower)) return 'too_common';
	if (/^(.)\1+$/.test(password)) return 'too_common';
	// A password made of the user's own e-mail or name is guessed first.
	const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
	for (const word of personal) {
		const w = letters(word);
		if (w.length >= 4 && letters(password) === w) return 'too_common';
	}
	return null;
}

export const passwordProblemMessages: Record<PasswordProblem, string> = {
	too_short: `La password deve avere almeno ${MIN_PASSWORD_LENGTH} caratteri.`,
	too_common: 'Questa password è troppo comune o facile da indovinare: scegline un’altra.'
};
