import { describe, expect, it } from 'vitest';
import { listHref } from './list-href';

describe('listHref', () => {
	it('leaves defaults out and writes a set flag as 1', () => {
		expect(listHref('/ufficio/consumatori', { q: '', scuola: null, classe: 0, 'senza-genitore': false, pagina: false })).toBe('/ufficio/consumatori');
		expect(listHref('/ufficio/consumatori', { q: 'rossi anna', scuola: 3, 'senza-genitore': true, verso: 'desc', pagina: 2 })).toBe(
			'/ufficio/consumatori?q=rossi+anna&scuola=3&senza-genitore=1&verso=desc&pagina=2'
		);
	});
});
