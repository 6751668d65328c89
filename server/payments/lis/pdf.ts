/*
 * The printable Punto LIS card: one A4 page with the account's QR, its code in text for a
 * cashier to type, whose account it is and how a top-up works. The code never changes, so a
 * printed card stays valid for the child's whole time in the service.
 */
import PDFDocument from 'pdfkit';
import { pdfBytes } from '../../pdf/bytes.js';
import { drawQr, toWinAnsi } from '../avviso-pdf.js';
import type { PuntoLisAccount } from './account.js';
import { PUNTO_LIS_STEPS } from '../../../src/lib/shared/punto-lis.js';

const INK = '#17324d';
const GREY = '#5c6f82';
const MARGIN = 56;
const WIDTH = 595.28 - 2 * MARGIN;
// 33 modules (the version-4 QR drawQr makes, which the 46-character code fits) × 7 pt ≈ 8 cm.
const MODULE = 7;

export async function renderPuntoLisPdf(account: PuntoLisAccount): Promise<Uint8Array> {
	const comune = toWinAnsi(account.comune);
	const child = toWinAnsi(account.consumerName);
	const group = toWinAnsi(account.serviceGroup);
	const doc = new PDFDocument({
		size: 'A4',
		margin: MARGIN,
		info: { Title: `Punto LIS — ${child} — ${group}`, Author: `Comune di ${comune}`, Creator: 'Mensa Aperta' }
	});
	const done = pdfBytes(doc);

	doc.font('Helvetica').fontSize(11).fillColor(GREY).text(`Comune di ${comune} — servizi scolastici`, MARGIN, MARGIN, { width: WIDTH });
	doc.font('Helvetica-Bold').fontSize(22).fillColor(INK).text('Ricarica al Punto LIS', { width: WIDTH });
	doc.moveDown(0.4);
	doc.font('Helvetica').fontSize(13).text('Consumatore: ', { continued: true }).font('Helvetica-Bold').text(child);
	doc.font('Helvetica').text('Servizio: ', { continued: true }).font('Helvetica-Bold').text(group);

	const side = 33 * MODULE;
	// Four modules of white above and below, as the QR standard asks: a till scanner is strict where a phone is not.
	const qrTop = doc.y + 4 * MODULE;
	drawQr(doc, account.code, MARGIN + (WIDTH - side) / 2, qrTop, MODULE);
	doc.font('Courier-Bold').fontSize(15).fillColor('black').text(account.code, MARGIN, qrTop + side + 4 * MODULE, { width: WIDTH, align: 'center' });
	doc.font('Helvetica').fontSize(9).fillColor(GREY).text('Codice personale: vale solo per questo consumatore e questo servizio.', { width: WIDTH, align: 'center' });

	doc.moveDown(1.6);
	doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text('Come ricaricare', MARGIN, doc.y, { width: WIDTH });
	doc.moveDown(0.3);
	PUNTO_LIS_STEPS.forEach((step, i) => {
		doc.font('Helvetica').fontSize(11).fillColor(INK).text(`${i + 1}. ${toWinAnsi(step)}`, { width: WIDTH });
		doc.moveDown(0.3);
	});

	doc.end();
	return done;
}
