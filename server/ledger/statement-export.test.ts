import { describe, expect, it } from 'vitest';
import { addDays } from '../calendar/dates.js';
import { pdfPages } from '../../tests/helpers/pdf-text.js';
import { statementCsv } from './statement-csv.js';
import { renderStatementPdf, type StatementDocument } from './statement-pdf.js';

function document(rows: number, opening = 12_000): StatementDocument {
	let balance = opening;
	return {
		comune: 'Comune di Mazzè',
		consumerName: 'Luca Rossi',
		groupName: 'Refezione',
		from: '2026-09-01',
		to: '2027-08-31',
		openingCents: opening,
		closingCents: opening - rows * 420,
		rows: Array.from({ length: rows }, (_, i) => {
			const valueDate = addDays('2026-09-14', i);
			return { id: i + 1, valueDate, description: `Pasto ${valueDate.slice(8)}/${valueDate.slice(5, 7)} — Mensa`, amountCents: -420, balanceCents: (balance -= 420) };
		})
	};
}

describe('statementCsv', () => {
	it('quotes what would split a field, and keeps a description that looks like a formula as text', () => {
		const doc = document(0, -123_456);
		doc.rows = [{ id: 1, valueDate: '2026-11-03', description: '=HYPERLINK("x";"Rimborso; contanti")', amountCents: 100_050, balanceCents: -23_406 }];
		const lines = statementCsv(doc).slice(1).split('\r\n');
		expect(lines[1]).toBe('01/09/2026;Saldo iniziale;;-1234,56');
		expect(lines[2]).toBe(`03/11/2026;"'=HYPERLINK(""x"";""Rimborso; contanti"")";1000,50;-234,06`);
	});
});

describe('renderStatementPdf', () => {
	it('breaks a long table over pages, repeats its header on each and numbers every page', async () => {
		const pages = pdfPages(await renderStatementPdf(document(120)));
		expect(pages.length).toBeGreaterThanOrEqual(3);
		pages.forEach((text, i) => {
			expect(text).toContain(`Pagina ${i + 1} di ${pages.length}`);
			expect(text).toMatch(/^Data\nDescrizione\nImporto\nSaldo$/m);
		});
		expect(pages[0]).toContain('Saldo iniziale al 01/09/2026\n120,00 €');
		const all = pages.join('\n');
		expect(all).toContain('14/09/2026\nPasto 14/09 — Mensa\n-4,20 €\n115,80 €');
		expect(all).toContain('Saldo finale al 31/08/2027\n-384,00 €');
		// every row once, none lost at a page break
		expect(all.match(/^Pasto \d\d\/\d\d — Mensa$/gm)).toHaveLength(120);
	});

	it('says so when the period has no postings', async () => {
		expect(pdfPages(await renderStatementPdf(document(0)))).toEqual([expect.stringContaining('Nessun movimento nel periodo.')]);
	});
});
