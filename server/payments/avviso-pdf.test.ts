import { describe, expect, it } from 'vitest';
import { decodeQrGrid, drawnQrGrid } from '../../tests/helpers/avviso-qr.js';
import { pdfText } from '../../tests/helpers/pdf-text.js';
import { AvvisoError, MAX_SUBJECT_LENGTH, avvisoQrPayload, avvisoSubject, renderAvvisoPdf, toWinAnsi, type AvvisoInput } from './avviso-pdf.js';

const example: AvvisoInput = {
	ente: { name: 'Comune di Sant’Ambrogio di Valpolicella', codiceFiscale: '00856930102' },
	payer: { name: 'Maria Rossi', codiceFiscale: 'LVLDAA85T50G702B' },
	subject: 'Ricarica mensa scolastica — Giulia Rossi',
	amountCents: 102_099,
	dueDate: '2026-12-31',
	noticeNumber: '301000000000004285'
};

/** The error correction level written in the symbol's format information (ISO/IEC 18004, 7.9). */
function errorCorrectionLevel(grid: boolean[][]): string {
	const size = grid.length;
	let bits = 0;
	for (let i = 0; i < 15; i++) {
		const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
		if (grid[row][8]) bits |= 1 << i;
	}
	return ['M', 'L', 'H', 'Q'][((bits ^ 0x5412) >> 13) & 3];
}

describe('avvisoQrPayload', () => {
	it('is the DESIGN.md example string', () => {
		expect(avvisoQrPayload({ noticeNumber: '301000000000004285', enteCodiceFiscale: '01234567897', amountCents: 2500 })).toBe(
			'PAGOPA|002|301000000000004285|01234567897|2500'
		);
	});

	it('writes the amount in cents with at least two characters', () => {
		expect(avvisoQrPayload({ noticeNumber: '301000000000004285', enteCodiceFiscale: '00856930102', amountCents: 5 })).toBe(
			'PAGOPA|002|301000000000004285|00856930102|05'
		);
	});

	it('refuses amounts that are not positive integer cents, bad notice numbers and bad CF shapes', () => {
		const good = { noticeNumber: '301000000000004285', enteCodiceFiscale: '00856930102', amountCents: 2500 };
		const refused = (over: Partial<typeof good>, code: AvvisoError['code']) =>
			expect(() => avvisoQrPayload({ ...good, ...over }), JSON.stringify(over)).toThrow(expect.objectContaining({ name: 'AvvisoError', code }));
		for (const amountCents of [0, -100, 10.5, Number.NaN, Number.POSITIVE_INFINITY, 100_000_000_000]) refused({ amountCents }, 'BAD_AMOUNT');
		for (const noticeNumber of ['301000000000004286', '3010 0000 0000 0042 85', '001000000000004285', '']) refused({ noticeNumber }, 'BAD_NOTICE_NUMBER');
		for (const enteCodiceFiscale of ['0085693010', '008569301020', 'LVLDAA85T50G702B', '']) refused({ enteCodiceFiscale }, 'BAD_ENTE_CODICE_FISCALE');
	});
});

describe('avvisoSubject', () => {
	it('keeps a subject of up to 90 characters, whitespace tidied', () => {
		const ninety = 'a'.repeat(90);
		expect(avvisoSubject(ninety)).toBe(ninety);
		expect(avvisoSubject('  Ricarica\n mensa  ')).toBe('Ricarica mensa');
	});

	it('cuts a longer one to 90 characters ending in "…"', () => {
		const cut = avvisoSubject('Ricarica mensa scolastica '.repeat(5));
		expect(Array.from(cut)).toHaveLength(MAX_SUBJECT_LENGTH);
		expect(cut.endsWith('…')).toBe(true);
		expect(cut.startsWith('Ricarica mensa scolastica Ricarica')).toBe(true);
	});

	it('counts characters, not UTF-16 units', () => {
		expect(avvisoSubject('😀'.repeat(90))).toBe('😀'.repeat(90));
	});
});

describe('toWinAnsi', () => {
	it('keeps Italian text and drops only what the standard fonts cannot print', () => {
		expect(toWinAnsi('Niccolò D’Amico — 1.020,99 €…')).toBe('Niccolò D’Amico — 1.020,99 €…');
		expect(toWinAnsi('Ștefan Nguyễn Łukasz 王')).toBe('Stefan Nguyên Lukasz ?');
		// Letters with a stroke or without a dot have no accent to drop: their base letter all the same.
		expect(toWinAnsi('Wałęsa, Đorđe Đoković, Ħamrun, Yıldız')).toBe('Walesa, Dorde Dokovic, Hamrun, Yildiz');
	});
});

describe('renderAvvisoPdf', () => {
	it('renders one A4 page with the amount, due date, grouped notice number and CF ente', async () => {
		const pdf = await renderAvvisoPdf(example);
		const raw = Buffer.from(pdf).toString('latin1');
		expect(raw.startsWith('%PDF-')).toBe(true);
		expect(raw.trimEnd().endsWith('%%EOF')).toBe(true);
		expect(raw.match(/\/Type \/Page\n/g)).toHaveLength(1);
		expect(raw).toContain('/MediaBox [0 0 595.28 841.89]');

		const text = pdfText(pdf);
		expect(text).toContain('AVVISO DI PAGAMENTO');
		expect(text).toContain('1.020,99 €');
		expect(text).toContain('Entro il 31/12/2026');
		expect(text).toContain('3010 0000 0000 0042 85');
		expect(text).toContain('00856930102');
		expect(text).toContain('Comune di Sant’Ambrogio di Valpolicella');
		expect(text).toContain('Maria Rossi');
		expect(text).toContain('LVLDAA85T50G702B');
		expect(text).toContain('Ricarica mensa scolastica — Giulia Rossi');
		expect(text).toMatch(/codice avviso/i);
		expect(text).toMatch(/dove pagare/i);
		expect(text).toMatch(/tabaccaio/);
	});

	it('draws a QR code a decoder reads back as the payload, version 4 at level M', async () => {
		const grid = drawnQrGrid(await renderAvvisoPdf(example));
		expect(grid).toHaveLength(33);
		expect(errorCorrectionLevel(grid)).toBe('M');
		expect(decodeQrGrid(grid)).toBe('PAGOPA|002|301000000000004285|00856930102|102099');
	});

	it('prints a long subject cut to 90 characters', async () => {
		const text = pdfText(await renderAvvisoPdf({ ...example, subject: 'Ricarica mensa scolastica '.repeat(5) }));
		expect(text.replace(/\n/g, ' ')).toContain(avvisoSubject('Ricarica mensa scolastica '.repeat(5)).slice(-20));
	});

	it('refuses bad input before drawing anything', async () => {
		const refused = (over: Partial<AvvisoInput>, code: AvvisoError['code']) =>
			expect(renderAvvisoPdf({ ...example, ...over }), JSON.stringify(over)).rejects.toThrow(expect.objectContaining({ code }));
		await refused({ amountCents: 0 }, 'BAD_AMOUNT');
		await refused({ amountCents: -2500 }, 'BAD_AMOUNT');
		await refused({ amountCents: 25.5 }, 'BAD_AMOUNT');
		await refused({ noticeNumber: '301000000000004284' }, 'BAD_NOTICE_NUMBER');
		await refused({ dueDate: '2026-02-30' }, 'BAD_DUE_DATE');
		await refused({ dueDate: '31/12/2026' }, 'BAD_DUE_DATE');
		await refused({ ente: { ...example.ente, name: ' ' } }, 'MISSING_NAME');
		await refused({ payer: { ...example.payer, name: '' } }, 'MISSING_NAME');
	});
});
