/*
 * The estratto conto as a printable A4 PDF: who and what it is about, the period with its opening
 * and closing balance, then the postings as a table that runs over as many pages as it needs,
 * its header repeated on each, and "Pagina n di m" at the foot of every page.
 */
import PDFDocument from 'pdfkit';
import { pdfBytes } from '../pdf/bytes.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt, type IsoDate } from '../../src/lib/shared/dates.js';
import { toWinAnsi } from '../payments/avviso-pdf.js';
import type { StatementRow } from './statement.js';

export interface StatementDocument {
	comune: string;
	consumerName: string;
	groupName: string;
	from: IsoDate;
	to: IsoDate;
	openingCents: number;
	closingCents: number;
	rows: StatementRow[];
}

const INK = '#17324d';
const GREY = '#5c6f82';
const RULE = '#c5c7c9';
const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const CONTENT = PAGE.width - 2 * PAGE.margin;
const ROW = 16;
/** room kept under the table for the page number */
const FOOT = 36;
const COLUMNS = [
	{ title: 'Data', width: 70, align: 'left' },
	{ title: 'Descrizione', width: CONTENT - 70 - 90 - 95, align: 'left' },
	{ title: 'Importo', width: 90, align: 'right' },
	{ title: 'Saldo', width: 95, align: 'right' }
] as const;

type Doc = PDFKit.PDFDocument;

/** One line in a box of fixed height: pdfkit neither wraps it nor starts a page for it. */
function cell(doc: Doc, text: string, x: number, y: number, width: number, opts: { font?: string; size?: number; color?: string; align?: 'left' | 'right' } = {}): void {
	const size = opts.size ?? 9;
	doc.font(opts.font ?? 'Helvetica')
		.fontSize(size)
		.fillColor(opts.color ?? INK)
		.text(toWinAnsi(text), x, y, { width, height: size * 1.3, ellipsis: '…', lineBreak: false, align: opts.align ?? 'left' });
}

const signed = (cents: number) => (cents > 0 ? `+${formatCents(cents)}` : formatCents(cents));

function tableHeader(doc: Doc, y: number): number {
	let x = PAGE.margin;
	for (const c of COLUMNS) {
		cell(doc, c.title, x + 2, y, c.width - 4, { font: 'Helvetica-Bold', color: GREY, align: c.align });
		x += c.width;
	}
	doc.moveTo(PAGE.margin, y + 13).lineTo(PAGE.margin + CONTENT, y + 13).lineWidth(0.8).strokeColor(RULE).stroke();
	return y + ROW + 2;
}

export async function renderStatementPdf(s: StatementDocument): Promise<Uint8Array<ArrayBuffer>> {
	const period = `dal ${formatDateIt(s.from)} al ${formatDateIt(s.to)}`;
	const doc = new PDFDocument({
		size: 'A4',
		margin: PAGE.margin,
		bufferPages: true,
		info: { Title: toWinAnsi(`Estratto conto — ${s.consumerName}, ${s.groupName}, ${period}`), Author: toWinAnsi(s.comune), Creator: 'Mensa Aperta' }
	});
	const done = pdfBytes(doc);

	const left = PAGE.margin;
	cell(doc, s.comune, left, 40, CONTENT, { font: 'Helvetica-Bold', size: 12, color: GREY });
	cell(doc, 'Estratto conto', left, 60, CONTENT, { font: 'Helvetica-Bold', size: 20 });
	const facts: [string, string][] = [
		['Consumatore', s.consumerName],
		['Servizio', s.groupName],
		['Periodo', period],
		[`Saldo iniziale al ${formatDateIt(s.from)}`, formatCents(s.openingCents)],
		[`Saldo finale al ${formatDateIt(s.to)}`, formatCents(s.closingCents)]
	];
	let y = 94;
	for (const [name, value] of facts) {
		cell(doc, name, left, y, 170, { color: GREY, size: 10 });
		cell(doc, value, left + 170, y, CONTENT - 170, { font: 'Helvetica-Bold', size: 10 });
		y += 15;
	}
	y = tableHeader(doc, y + 14);
	if (s.rows.length === 0) cell(doc, 'Nessun movimento nel periodo.', left + 2, y, CONTENT - 4, { color: GREY });
	for (const r of s.rows) {
		if (y + ROW > PAGE.height - PAGE.margin - FOOT) {
			doc.addPage();
			y = tableHeader(doc, PAGE.margin);
		}
		const values = [formatDateIt(r.valueDate), r.description, signed(r.amountCents), formatCents(r.balanceCents)];
		let x = left;
		COLUMNS.forEach((c, i) => {
			cell(doc, values[i], x + 2, y, c.width - 4, { align: c.align });
			x += c.width;
		});
		y += ROW;
	}

	const { start, count } = doc.bufferedPageRange();
	for (let i = start; i < start + count; i++) {
		doc.switchToPage(i);
		cell(doc, `${s.consumerName} — ${s.groupName}, ${period}`, left, PAGE.height - PAGE.margin - 10, CONTENT - 90, { color: GREY, size: 8 });
		cell(doc, `Pagina ${i - start + 1} di ${count}`, left + CONTENT - 90, PAGE.height - PAGE.margin - 10, 90, { color: GREY, size: 8, align: 'right' });
	}
	doc.end();
	return done;
}
