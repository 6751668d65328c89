/*
 * The enrolment letter for a family: the Comune (with its logo), the applicant, each child with
 * school, class, service and the activation code, how to activate, and whom to ask. One family
 * starts a new page, so a batch can be printed and put in envelopes as it comes.
 */
import PDFDocument from 'pdfkit';
import { pdfBytes } from '../../pdf/bytes.js';
import { toWinAnsi } from '../../payments/avviso-pdf.js';
import type { FamilyLetter } from './issue.js';

export interface LetterComune {
	name: string;
	/** tenants.logo_data_url: PNG or JPEG are drawn, anything else is left out */
	logoDataUrl: string;
	instructions: string;
	contacts: { office: string; name: string; phone: string; email: string };
}

const INK = '#17324d';
const GREY = '#5c6f82';
const BOX = '#f2f7fc';
const MARGIN = 56;
const WIDTH = 595.28 - 2 * MARGIN;

type Doc = PDFKit.PDFDocument;

function logoOf(dataUrl: string): Buffer | null {
	const m = /^data:image\/(png|jpeg|jpg);base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl.trim());
	return m ? Buffer.from(m[2], 'base64') : null;
}

function header(doc: Doc, comune: LetterComune, logo: Buffer | null): void {
	let x = MARGIN;
	if (logo) {
		try {
			doc.image(logo, MARGIN, MARGIN, { fit: [48, 48] });
			x += 60;
		} catch {
			// A logo pdfkit cannot read must not stop the letters: they go out without it.
		}
	}
	doc.font('Helvetica-Bold').fontSize(14).fillColor(INK).text(toWinAnsi(`Comune di ${comune.name}`), x, MARGIN + 6, { width: WIDTH - (x - MARGIN) });
	doc.font('Helvetica').fontSize(10).fillColor(GREY).text(toWinAnsi(comune.contacts.office || 'Servizi scolastici'), { width: WIDTH - (x - MARGIN) });
	doc.y = MARGIN + 64;
}

function child(doc: Doc, c: FamilyLetter['children'][number]): void {
	const top = doc.y;
	const place = [c.school, c.schoolClass && `classe ${c.schoolClass}`].filter(Boolean).join(', ') || 'classe da assegnare';
	doc.rect(MARGIN, top, WIDTH, 86).fillColor(BOX).fill();
	doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text(toWinAnsi(c.name), MARGIN + 12, top + 10, { width: WIDTH - 24, continued: true })
		.font('Helvetica').fontSize(10).text(`  (C.F. ${c.codiceFiscale})`);
	doc.font('Helvetica').fontSize(10).text(toWinAnsi(`${place} — ${c.service}, anno scolastico ${c.year}`), MARGIN + 12, top + 28, { width: WIDTH - 24, height: 14, ellipsis: '…' });
	doc.font('Helvetica').fontSize(9).fillColor(GREY).text('CODICE DI ATTIVAZIONE', MARGIN + 12, top + 48, { width: WIDTH - 24, characterSpacing: 0.5 });
	doc.font('Courier-Bold').fontSize(18).fillColor('black').text(c.code, MARGIN + 12, top + 60, { width: WIDTH - 24 });
	doc.y = top + 98;
}

function letter(doc: Doc, comune: LetterComune, logo: Buffer | null, family: FamilyLetter): void {
	header(doc, comune, logo);
	doc.font('Helvetica').fontSize(11).fillColor(INK).text(toWinAnsi(`Alla cortese attenzione di ${family.applicantName || 'chi ha presentato la domanda'}`), MARGIN, doc.y, { width: WIDTH });
	doc.font('Helvetica').fontSize(9).fillColor(GREY).text(`Codice fiscale del richiedente: ${family.applicantFiscalCode}`, { width: WIDTH });
	doc.moveDown(1);
	doc.font('Helvetica-Bold').fontSize(17).fillColor(INK).text('Iscrizione ai servizi scolastici', { width: WIDTH });
	doc.font('Helvetica').fontSize(10.5).text(
		family.children.length === 1
			? 'L’iscrizione è stata registrata. Con il codice qui sotto colleghi tuo figlio o tua figlia all’app Mensa Aperta: assenze, pasti in bianco, saldo e ricariche.'
			: 'Le iscrizioni sono state registrate. Con i codici qui sotto colleghi i tuoi figli all’app Mensa Aperta: assenze, pasti in bianco, saldo e ricariche.',
		{ width: WIDTH }
	);
	doc.moveDown(0.8);
	for (const c of family.children) {
		if (doc.y + 98 > doc.page.height - MARGIN) doc.addPage();
		child(doc, c);
	}
	doc.moveDown(0.4);
	doc.font('Helvetica-Bold').fontSize(12).fillColor(INK).text('Come attivare', MARGIN, doc.y, { width: WIDTH });
	doc.moveDown(0.2);
	for (const paragraph of comune.instructions.split(/\n+/).filter((p) => p.trim())) {
		doc.font('Helvetica').fontSize(10).fillColor(INK).text(toWinAnsi(paragraph.trim()), { width: WIDTH });
		doc.moveDown(0.3);
	}
	const { office, name, phone, email } = comune.contacts;
	doc.moveDown(0.6);
	doc.font('Helvetica-Bold').fontSize(11).text('Per ulteriori chiarimenti', { width: WIDTH });
	doc.font('Helvetica').fontSize(10).text(toWinAnsi([`Comune di ${comune.name} — ${office}${name ? `, ${name}` : ''}`, phone && `Tel. ${phone}`, email].filter(Boolean).join(' · ')), { width: WIDTH });
}

/** The letters, one family after the other, each from a new page. */
export async function renderLettersPdf(comune: LetterComune, families: FamilyLetter[]): Promise<Uint8Array<ArrayBuffer>> {
	const doc = new PDFDocument({ size: 'A4', margin: MARGIN, autoFirstPage: false, info: { Title: 'Lettere di iscrizione', Author: toWinAnsi(`Comune di ${comune.name}`), Creator: 'Mensa Aperta' } });
	const done = pdfBytes(doc);
	const logo = logoOf(comune.logoDataUrl);
	for (const family of families) {
		doc.addPage();
		letter(doc, comune, logo, family);
	}
	doc.end();
	return done;
}
