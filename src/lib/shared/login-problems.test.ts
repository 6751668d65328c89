import { describe, expect, it } from 'vitest';
import { loginProblemMessage } from './login-problems';

describe('loginProblemMessage', () => {
	it('gives the Italian message of a known key', () => {
		expect(loginProblemMessage('annullato')).toBe('Accesso con identità digitale non riuscito o annullato. Riprova.');
		expect(loginProblemMessage('spid-non-disponibile')).toMatch(/^L’accesso con SPID\/CIE non è disponibile/);
	});

	it('shows nothing for words a link wrote itself, nor for an object key', () => {
		expect(loginProblemMessage('Il tuo conto è bloccato: chiama il numero 899 000 000')).toBeNull();
		expect(loginProblemMessage('toString')).toBeNull();
		expect(loginProblemMessage('__proto__')).toBeNull();
		expect(loginProblemMessage(null)).toBeNull();
	});
});
