import { describe, expect, it } from 'vitest';
import { readCsv } from './read-csv.js';

const limits = { maxBytes: 10_000, maxLines: 5, tooLarge: 'File troppo grande.' };
const read = (text: string) => readCsv(new TextEncoder().encode(text), limits);
const linesOf = (text: string) => {
	const r = read(text);
	if (r.status !== 'read') throw new Error(r.message);
	return r.lines.map((l) => [l.line, l.fields]);
};

describe('readCsv', () => {
	it('keeps a line break inside quotes in its field, and numbers records as the spreadsheet numbers rows', () => {
		expect(linesOf('cf;nome;note\r\nA1;Luca;"prima riga\r\nseconda riga"\r\nB2;"Anna ""Nina""";ok\r\n')).toEqual([
			[1, ['cf', 'nome', 'note']],
			[2, ['A1', 'Luca', 'prima riga\nseconda riga']],
			[3, ['B2', 'Anna "Nina"', 'ok']]
		]);
	});

	it('skips blank rows and the all-separator rows Excel writes for emptied rows, keeping the numbers', () => {
		expect(linesOf('\uFEFFcf;importo\n;;\nA1;12,50\n\n ; \nB2;"1.234,56"\n;;;;')).toEqual([
			[1, ['cf', 'importo']],
			[3, ['A1', '12,50']],
			[6, ['B2', '1.234,56']]
		]);
	});

	it('counts only rows with data against the limit', () => {
		expect(read(`h;k\n${'x\n;\n'.repeat(4)}`)).toMatchObject({ status: 'read' });
		expect(read(`h\n${'x\n'.repeat(5)}`)).toEqual({ status: 'rejected', message: 'File troppo grande.' });
	});

	it('refuses a quote that is never closed, naming the row where it opens', () => {
		expect(read('cf;nome\nA1;Luca\nB2;"Anna;x\nC3;Eva')).toEqual({
			status: 'rejected',
			message: 'Alla riga 3 un campo si apre con le virgolette (") e non si chiude più: correggi il file e riprova.'
		});
	});

	it('uses `,` when the header has no `;`', () => {
		expect(read('cf,importo\nA1,"12,50"')).toMatchObject({ status: 'read', separator: ',', lines: [{ fields: ['cf', 'importo'] }, { fields: ['A1', '12,50'] }] });
		expect(read('cf,"importo; euro"\nA1,"12,50"')).toMatchObject({ status: 'read', separator: ',', lines: [{ fields: ['cf', 'importo; euro'] }, { fields: ['A1', '12,50'] }] });
	});
});
