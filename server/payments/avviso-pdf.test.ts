import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { AvvisoError, MAX_SUBJECT_LENGTH, avvisoQrPayload, avvisoSubject, renderAvvisoPdf, toWinAnsi, type AvvisoInput } from './avviso-pdf.js';

const example: AvvisoInput = {
	ente: { name: 'Comune di Sant’Ambrogio di Valpolicella', codiceFiscale: '00856930102' },
	payer: { name: 'Maria Rossi', codiceFiscale: 'LVLDAA85T50G702B' },
	subject: 'Ricarica mensa scolastica — Giulia Rossi',
	amountCents: 102_099,
	dueDate: '2026-12-31',
	noticeNumber: '301000000000004285'
};

/** The page content streams of a PDF, inflated: what the renderer actually drew. */
function contentStreams(pdf: Uint8Array): string[] {
	const text = Buffer.from(pdf).toString('latin1');
	const streams: string[] = [];
	const start = /<<([^]*?)>>\s*stream\r?\n/g;
	for (let m = start.exec(text); m; m = start.exec(text)) {
		const from = m.index + m[0].length;
		const raw = Buffer.from(text.slice(from, text.indexOf('endstream', from)), 'latin1');
		streams.push((/\/FlateDecode/.test(m[1]) ? inflateSync(raw) : raw).toString('latin1'));
	}
	return streams;
}

// WinAnsi bytes 0x80–0x9f that differ from Latin-1, as the standard fonts print them.
const WIN_ANSI_HIGH: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—' };

/** Each text object (BT … ET) as one line: the hex strings of its TJ/Tj operators, decoded. */
function pdfText(pdf: Uint8Array): string {
	const lines: string[] = [];
	for (const stream of contentStreams(pdf)) {
		for (const [block] of stream.matchAll(/BT[^]*?ET/g)) {
			const hex = [...block.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('');
			lines.push([...Buffer.from(hex, 'hex')].map((b) => WIN_ANSI_HIGH[b] ?? String.fromCharCode(b)).join(''));
		}
	}
	return lines.join('\n');
}

/** The QR modules the renderer drew (rectangles in module units after its scale), back to a grid. */
function drawnQrGrid(pdf: Uint8Array): boolean[][] {
	const stream = contentStreams(pdf).find((s) => /\n3 0 0 3 0 0 cm\n/.test(s));
	if (!stream) throw new Error('no QR code drawn');
	const from = stream.indexOf('\n3 0 0 3 0 0 cm\n');
	const body = stream.slice(from, stream.indexOf('\nf\n', from));
	const runs = [...body.matchAll(/^(\d+) (\d+) (\d+) 1 re$/gm)].map((m) => m.slice(1, 4).map(Number));
	const size = Math.max(...runs.map(([col, row, width]) => Math.max(col + width, row + 1)));
	const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
	for (const [col, row, width] of runs) for (let c = col; c < col + width; c++) grid[row][c] = true;
	return grid;
}

/** The grid as black on white pixels with the quiet zone, for a real decoder to read. */
function decodeQr(grid: boolean[][]): string | undefined {
	const px = 4;
	const quiet = 4;
	const side = (grid.length + 2 * quiet) * px;
	const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
	grid.forEach((cells, row) =>
		cells.forEach((dark, col) => {
			if (!dark) return;
			for (let y = 0; y < px; y++)
				for (let x = 0; x < px; x++) {
					const i = (((row + quiet) * px + y) * side + (col + quiet) * px + x) * 4;
					rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
				}
		})
	);
	return jsQR(rgba, side, side)?.data;
}

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
		expect(toWinAnsi('Ștefan Nguyễn Łukasz 王')).toBe('Stefan Nguyên ?ukasz ?');
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
		expect(decodeQr(grid)).toBe('PAGOPA|002|301000000000004285|00856930102|102099');
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
