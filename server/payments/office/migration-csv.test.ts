import { describe, expect, it } from 'vitest';
import { MAX_MIGRATION_BYTES, MAX_MIGRATION_LINES, parseSignedEuro, readMigrationCsv } from './migration-csv.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const read = (text: string) => {
	const r = readMigrationCsv(bytes(text));
	if (r.status !== 'read') throw new Error(r.message);
	return r;
};

describe('amounts of the opening-balance file', () => {
	it('reads comma or dot decimals, thousands, negatives and the minus sign', () => {
		expect(parseSignedEuro('-12,50')).toBe(-1250);
		expect(parseSignedEuro('1.234,56')).toBe(123456);
		expect(parseSignedEuro('30.5')).toBe(3050);
		expect(parseSignedEuro(' 7 ')).toBe(700);
		expect(parseSignedEuro('\u22123,20')).toBe(-320);
		expect(parseSignedEuro('0')).toBe(0);
		for (const bad of ['', '-', 'dodici', '12,505', '1,234.56', '--3', '3-']) expect(parseSignedEuro(bad), bad).toBeNull();
	});
});

describe('reading the file', () => {
	it('detects `;`, keeps line numbers, skips the header and empty lines, strips the BOM', () => {
		const r = read('\uFEFFcodice fiscale;gruppo;saldo\r\nRSSLCU17E04E379I;Refezione;-12,50\r\n\r\nRSSSFO21P60E379I;refezione;1.234,56\r\n');
		expect(r).toMatchObject({ separator: ';', header: true });
		expect(r.lines).toEqual([
			{ line: 2, fields: ['RSSLCU17E04E379I', 'Refezione', '-12,50'] },
			{ line: 4, fields: ['RSSSFO21P60E379I', 'refezione', '1.234,56'] }
		]);
	});

	it('detects `,` with quoted comma amounts, and works without a header', () => {
		const r = read('RSSLCU17E04E379I,Refezione,30.5\nRSSSFO21P60E379I,"Refezione","12,50"\n"FRRNNA18T45E379T","Mensa ""bis""",-1');
		expect(r).toMatchObject({ separator: ',', header: false });
		expect(r.lines.map((l) => l.fields)).toEqual([
			['RSSLCU17E04E379I', 'Refezione', '30.5'],
			['RSSSFO21P60E379I', 'Refezione', '12,50'],
			['FRRNNA18T45E379T', 'Mensa "bis"', '-1']
		]);
	});

	it('refuses an empty file, a file that is not UTF-8, and one over the limits, saying why', () => {
		expect(readMigrationCsv(bytes('\uFEFF\n\n'))).toEqual({ status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' });
		expect(readMigrationCsv(new Uint8Array([0x52, 0x53, 0xe8, 0x3b, 0x31]))).toMatchObject({ status: 'rejected', message: expect.stringContaining('UTF-8') });
		const big = new Uint8Array(MAX_MIGRATION_BYTES + 1).fill(0x41);
		expect(readMigrationCsv(big)).toMatchObject({ status: 'rejected', message: expect.stringContaining('troppo grande: al massimo 2 MB e 20.000 righe') });
		const many = Array.from({ length: MAX_MIGRATION_LINES + 1 }, () => 'RSSLCU17E04E379I;Refezione;1').join('\n');
		expect(readMigrationCsv(bytes(many))).toMatchObject({ status: 'rejected', message: expect.stringContaining('20.000 righe') });
		const exactly = Array.from({ length: MAX_MIGRATION_LINES }, () => 'RSSLCU17E04E379I;Refezione;1').join('\n');
		expect(read(`cf;gruppo;saldo\n${exactly}`).lines).toHaveLength(MAX_MIGRATION_LINES);
	});
});
