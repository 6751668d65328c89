/*
 * The printable pagoPA "avviso di pagamento" (DESIGN.md §3 flow 6, §5): one A4 page laid out
 * after pagoPA's public model — subject and amount at the top, ente and payer, "quanto e quando",
 * "dove pagare", and the payment box with the QR code and the codes a PSP types in.
 * Everything printed comes from the input; only the PDF's metadata creation date is pdfkit's own.
 */
import PDFDocument from 'pdfkit';
import { pdfBytes } from '../pdf/bytes.js';
import QRCode from 'qrcode';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt, isIsoDate, type IsoDate } from '../../src/lib/shared/dates.js';
import { formatNoticeNumber, isValidNoticeNumber } from './notice-number.js';

export interface AvvisoInput {
	ente: { name: string; codiceFiscale: string };
	payer: { name: string; codiceFiscale: string };
	subject: string;
	amountCents: number;
	dueDate: IsoDate;
	noticeNumber: string;
}

export class AvvisoError extends Error {
	constructor(
		readonly code: 'BAD_AMOUNT' | 'BAD_NOTICE_NUMBER' | 'BAD_ENTE_CODICE_FISCALE' | 'BAD_DUE_DATE' | 'MISSING_NAME',
		message: string
	) {
		super(message);
		this.name = 'AvvisoError';
	}
}

// pagoPA's QR string carries the amount in cents in 2 to 11 characters.
const MAX_AMOUNT_CENTS = 99_999_999_999;
export const MAX_SUBJECT_LENGTH = 90;

function checkAmount(amountCents: number): void {
	if (!Number.isSafeInteger(amountCents) || amountCents <= 0 || amountCents > MAX_AMOUNT_CENTS) {
		throw new AvvisoError('BAD_AMOUNT', `Importo non valido: ${amountCents} (servono centesimi interi, da 1 a ${MAX_AMOUNT_CENTS}).`);
	}
}

function checkPaymentData(noticeNumber: string, enteCodiceFiscale: string, amountCents: number): void {
	checkAmount(amountCents);
	if (!isValidNoticeNumber(noticeNumber)) throw new AvvisoError('BAD_NOTICE_NUMBER', `Numero avviso non valido: "${noticeNumber}".`);
	// Only the shape the QR string needs; whether the check digit is right is the caller's business.
	if (!/^\d{11}$/.test(enteCodiceFiscale)) {
		throw new AvvisoError('BAD_ENTE_CODICE_FISCALE', `Codice fiscale dell'ente non valido: "${enteCodiceFiscale}" (servono 11 cifre).`);
	}
}

/** `PAGOPA|002|<notice 18>|<CF ente 11>|<amount in cents>`, what a PSP's scanner reads. */
export function avvisoQrPayload(p: { noticeNumber: string; enteCodiceFiscale: string; amountCents: number }): string {
	checkPaymentData(p.noticeNumber, p.enteCodiceFiscale, p.amountCents);
	return `PAGOPA|002|${p.noticeNumber}|${p.enteCodiceFiscale}|${String(p.amountCents).padStart(2, '0')}`;
}

/**
 * pagoPA's layout rules allow at most 90 characters of oggetto. The subject is composed by us
 * (service, children's names, period), so a long one is cut with "…" rather than refused.
 */
export function avvisoSubject(subject: string): string {
	const chars = Array.from(subject.replace(/\s+/g, ' ').trim());
	return chars.length <= MAX_SUBJECT_LENGTH ? chars.join('') : `${chars.slice(0, MAX_SUBJECT_LENGTH - 1).join('').trimEnd()}…`;
}

const BLUE = '#0066cc';
const INK = '#17324d';
const GREY = '#5c6f82';
const RULE = '#c5c7c9';
const PAGE = { width: 595.28, height: 841.89, margin: 40 };
const CONTENT = PAGE.width - 2 * PAGE.margin;

type Doc = PDFKit.PDFDocument;

// The standard PDF fonts (no font file to ship) speak WinAnsi only: Latin-1 plus these.
const WIN_ANSI_EXTRA = new Set(Array.from('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ'));
const isWinAnsi = (ch: string) => {
	const c = ch.codePointAt(0)!;
	return (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff) || WIN_ANSI_EXTRA.has(ch);
};

/** Letters whose stroke or dot is not a combining accent: Unicode gives them no base letter to fall back on. */
const NO_DECOMPOSITION: Record<string, string> = { Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŧ: 'T', ŧ: 't', ĸ: 'k', Ŀ: 'L', ŀ: 'l', Ɨ: 'I', ɨ: 'i' };

/** "Ștefan Nguyễn" → "Stefan Nguyên", "Łukasz" → "Lukasz": a letter outside WinAnsi loses its accent rather than garbling the line. */
export function toWinAnsi(text: string): string {
	return Array.from(text.replace(/[\t\r\n]+/g, ' '))
		.map((ch) => {
			if (isWinAnsi(ch)) return ch;
			const composed = ch.normalize('NFD');
			// Keep the base letter with whatever accent WinAnsi still has ("ễ" → "ê"), else the bare letter.
			const partly = composed.slice(0, 2).normalize('NFC');
			if (Array.from(partly).length === 1 && isWinAnsi(partly)) return partly;
			const base = Array.from(composed)[0];
			return isWinAnsi(base) ? base : (NO_DECOMPOSITION[ch] ?? '?');
		})
		.join('');
}

function label(doc: Doc, text: string, x: number, y: number, width: number): void {
	doc.font('Helvetica-Bold').fontSize(8).fillColor(GREY).text(text.toUpperCase(), x, y, { width, characterSpacing: 0.5 });
}

/** One line at most: a name longer than its box ends in "…" instead of pushing the layout down. */
function line(doc: Doc, text: string, x: number, y: number, width: number, font = 'Helvetica', size = 10, color = INK): void {
	doc.font(font).fontSize(size).fillColor(color).text(text, x, y, { width, height: size * 1.3, ellipsis: '…', lineBreak: false });
}

/** The QR code as vector squares, `module` pt each: sharp on any printer, no image to embed (the Punto LIS card uses it too). */
export function drawQr(doc: Doc, payload: string, x: number, y: number, module: number): number {
	// pagoPA's rules: version 4 (33×33 modules), error correction M, UTF-8 text, i.e. byte mode;
	// the longest payload (53 bytes: an 11-digit amount) fits version 4 at M (62 bytes).
	const qr = QRCode.create([{ data: new TextEncoder().encode(payload), mode: 'byte' }], { errorCorrectionLevel: 'M', version: 4 });
	const size = qr.modules.size;
	doc.save().translate(x, y).scale(module);
	for (let row = 0; row < size; row++) {
		for (let col = 0; col < size; col++) {
			if (!qr.modules.get(row, col)) continue;
			let end = col;
			while (end + 1 < size && qr.modules.get(row, end + 1)) end++;
			doc.rect(col, row, end - col + 1, 1);
			col = end;
		}
	}
	doc.fillColor('black').fill().restore();
	return size * module;
}

export async function renderAvvisoPdf(input: AvvisoInput): Promise<Uint8Array> {
	const { ente, payer, amountCents, dueDate, noticeNumber } = input;
	const qrPayload = avvisoQrPayload({ noticeNumber, enteCodiceFiscale: ente.codiceFiscale, amountCents });
	if (!isIsoDate(dueDate)) throw new AvvisoError('BAD_DUE_DATE', `Scadenza non valida: "${dueDate}".`);
	if (!ente.name.trim() || !payer.name.trim()) throw new AvvisoError('MISSING_NAME', 'Servono il nome dell’ente e quello del destinatario.');

	const subject = toWinAnsi(avvisoSubject(input.subject));
	const enteName = toWinAnsi(ente.name);
	const payerName = toWinAnsi(payer.name);
	const amount = formatCents(amountCents);
	const due = formatDateIt(dueDate);
	const notice = formatNoticeNumber(noticeNumber);

	const doc = new PDFDocument({
		size: 'A4',
		margin: PAGE.margin,
		info: { Title: `Avviso di pagamento ${notice}`, Author: enteName, Subject: subject, Creator: 'Mensa Aperta' }
	});
	const done = pdfBytes(doc);

	const left = PAGE.margin;
	const half = CONTENT / 2;
	const right = left + half + 10;

	// Header: what this is, what for, how much and by when.
	doc.font('Helvetica-Bold').fontSize(20).fillColor(INK).text('AVVISO DI PAGAMENTO', left, 44, { width: CONTENT - 120 });
	doc.font('Helvetica-Bold').fontSize(16).fillColor(BLUE).text('pagoPA', left + CONTENT - 110, 48, { width: 110, align: 'right' });
	doc.font('Helvetica').fontSize(11).fillColor(INK).text(subject, left, 76, { width: CONTENT - 170, height: 42, ellipsis: '…' });
	doc.font('Helvetica-Bold').fontSize(16).fillColor(INK).text(amount, left + CONTENT - 160, 76, { width: 160, align: 'right' });
	doc.font('Helvetica').fontSize(10).fillColor(INK).text(`Entro il ${due}`, left + CONTENT - 160, 98, { width: 160, align: 'right' });
	doc.moveTo(left, 124).lineTo(left + CONTENT, 124).lineWidth(1).strokeColor(RULE).stroke();

	// Ente creditore and destinatario.
	label(doc, 'Ente creditore', left, 132, half - 10);
	line(doc, enteName, left, 146, half - 10, 'Helvetica-Bold', 11);
	line(doc, `Cod. Fiscale ${ente.codiceFiscale}`, left, 162, half - 10);
	label(doc, 'Destinatario avviso', right, 132, half - 10);
	line(doc, payerName, right, 146, half - 10, 'Helvetica-Bold', 11);
	line(doc, `Cod. Fiscale ${payer.codiceFiscale}`, right, 162, half - 10);

	// Quanto e quando pagare? / Dove pagare?
	doc.rect(left, 188, CONTENT, 140).fillColor('#f2f7fc').fill();
	label(doc, 'Quanto e quando pagare?', left + 12, 200, half - 24);
	line(doc, amount, left + 12, 216, half - 24, 'Helvetica-Bold', 20);
	line(doc, `Entro il ${due}`, left + 12, 244, half - 24, 'Helvetica-Bold', 11);
	doc.font('Helvetica').fontSize(9).fillColor(INK).text(
		'L’importo è quello dovuto alla data di emissione. Dopo la scadenza rivolgiti al Comune prima di pagare.',
		left + 12, 264, { width: half - 24 }
	);
	label(doc, 'Dove pagare?', right, 200, half - 22);
	doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text('PAGA ONLINE', right, 216, { width: half - 22, continued: true })
		.font('Helvetica').text(' sul sito del Comune, su checkout.pagopa.it, con l’app IO o con l’app della tua banca: carta, conto corrente o altri metodi.');
	doc.moveDown(0.6);
	doc.font('Helvetica-Bold').text('PAGA SUL TERRITORIO', { width: half - 22, continued: true })
		.font('Helvetica').text(' in banca, negli uffici postali, dal tabaccaio, in ricevitoria e presso gli altri prestatori di servizi di pagamento (PSP) aderenti a pagoPA.');
	doc.moveDown(0.6);
	doc.font('Helvetica').fontSize(8).fillColor(GREY).text('Elenco dei canali di pagamento su www.pagopa.gov.it', { width: half - 22 });

	// The payment box: the part a cashier scans or types from.
	const boxTop = 360;
	doc.font('Helvetica').fontSize(8).fillColor(GREY).text('Utilizza la porzione di avviso relativa al canale di pagamento che preferisci.', left, boxTop - 18, { width: CONTENT });
	doc.rect(left, boxTop, CONTENT, 210).lineWidth(0.8).strokeColor(RULE).stroke();
	doc.rect(left, boxTop, CONTENT, 22).fillColor(BLUE).fill();
	doc.font('Helvetica-Bold').fontSize(10).fillColor('white').text('BANCHE E ALTRI CANALI', left + 12, boxTop + 7, { width: CONTENT - 24 });

	// Four modules of white on every side, as the QR standard asks: a till scanner is strict where a phone is not.
	const qrSide = drawQr(doc, qrPayload, left + 12, boxTop + 36, 3);
	doc.font('Helvetica').fontSize(7.5).fillColor(GREY).text(
		'Inquadra il codice QR con l’app della banca o fallo leggere allo sportello.',
		left + 12, boxTop + 36 + qrSide + 4 * 3, { width: qrSide }
	);

	const fx = left + 12 + qrSide + 24;
	const fw = left + CONTENT - 12 - fx;
	let fy = boxTop + 34;
	for (const [name, value] of [['Destinatario', payerName], ['Ente creditore', enteName]]) {
		label(doc, name, fx, fy, fw);
		line(doc, value, fx, fy + 11, fw);
		fy += 28;
	}
	label(doc, 'Oggetto del pagamento', fx, fy, fw);
	doc.font('Helvetica').fontSize(10).fillColor(INK).text(subject, fx, fy + 11, { width: fw, height: 26, ellipsis: '…' });
	fy += 42;
	const cols = [fx, fx + fw * 0.5];
	label(doc, 'Codice avviso', cols[0], fy, fw * 0.5 - 8);
	line(doc, notice, cols[0], fy + 11, fw * 0.5 - 8, 'Helvetica-Bold', 11);
	label(doc, 'Cod. fiscale ente creditore', cols[1], fy, fw * 0.5);
	line(doc, ente.codiceFiscale, cols[1], fy + 11, fw * 0.5, 'Helvetica-Bold', 11);
	fy += 32;
	label(doc, 'Importo', cols[0], fy, fw * 0.5 - 8);
	line(doc, amount, cols[0], fy + 11, fw * 0.5 - 8, 'Helvetica-Bold', 11);
	label(doc, 'Entro il', cols[1], fy, fw * 0.5);
	line(doc, due, cols[1], fy + 11, fw * 0.5, 'Helvetica-Bold', 11);

	doc.end();
	return done;
}
