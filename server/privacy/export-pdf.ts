/*
 * The readable twin of the JSON export: the same DataExport, under Italian headings, as flowing
 * text that pdfkit breaks into as many A4 pages as it needs. The JSON file stays the complete,
 * machine-readable copy; here long lists (day marks, meals, postings) are one line per row.
 */
import PDFDocument from 'pdfkit';
import { pdfBytes } from '../pdf/bytes.js';
import { toWinAnsi } from '../payments/avviso-pdf.js';
import { formatCents } from '../../src/lib/shared/money.js';
import { formatDateIt, formatTime, zonedDateOf } from '../../src/lib/shared/dates.js';
import type { DataExport } from './export.js';

type Doc = PDFKit.PDFDocument;
const INK = '#17324d';
const GREY = '#5c6f82';


function heading(doc: Doc, text: string, size = 13): void {
	doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).fillColor(INK).text(toWinAnsi(text));
}

function line(doc: Doc, text: string): void {
	doc.font('Helvetica').fontSize(9).fillColor(INK).text(toWinAnsi(text));
}

function list(doc: Doc, title: string, rows: string[]): void {
	doc.moveDown(0.3).font('Helvetica-Bold').fontSize(10).fillColor(GREY).text(toWinAnsi(`${title} (${rows.length})`));
	if (rows.length === 0) line(doc, 'Nessuno.');
	for (const r of rows) line(doc, r);
}

function children(doc: Doc, data: DataExport, day: (date: string | null) => string): void {
	heading(doc, 'Figli e figlie');
	if (data.children.length === 0) line(doc, 'Nessun bambino collegato al tuo profilo.');
	for (const c of data.children) {
		heading(doc, `${c.givenName} ${c.familyName}`, 11);
		line(doc, `Codice fiscale: ${c.codiceFiscale} · Data di nascita: ${day(c.birthDate)}`);
		line(doc, `Scuola: ${c.school ?? '—'} · Classe: ${c.schoolClass ?? '—'} · Dieta: ${c.dietLabel ?? 'nessuna'}`);
		list(doc, 'Iscrizioni', c.enrolments.map((e) => `${e.service}: ${e.status}, dal ${day(e.fromDate)}${e.toDate ? ` al ${day(e.toDate)}` : ''} (richiedente ${e.applicantIsYou ? 'tu' : e.applicantName || 'l’altro genitore'})`));
		list(doc, 'Giorni segnati', c.dayMarks.map((m) => `${day(m.date)}: ${[m.assenza && 'assenza', m.pastoInBianco && 'pasto in bianco'].filter(Boolean).join(', ') || 'presente'}`));
		list(doc, 'Pasti', c.meals.map((m) => `${day(m.date)}: ${m.kind}${m.dietLabel ? ` (${m.dietLabel})` : ''}, ${formatCents(m.priceCents)}${m.cancelledAt ? ', annullato' : ''}`));
		for (const a of c.accounts) {
			list(doc, `Conto ${a.serviceGroup ?? ''} — saldo ${formatCents(a.balanceCents)}`, a.postings.map((p) => `${day(p.valueDate)}: ${formatCents(p.amountCents)} ${p.description}`));
		}
	}
}

/** Dates as 24/11/2026 and instants as 24/11/2026 08:03, in the Comune's time zone, as every other page and document. */
export async function renderDataExportPdf(data: DataExport, comune: string, timeZone: string): Promise<Uint8Array<ArrayBuffer>> {
	const day = (date: string | null) => (date ? formatDateIt(date) : '—');
	const when = (d: Date | string | null) => (d ? `${formatDateIt(zonedDateOf(d, timeZone))} ${formatTime(d, timeZone).slice(0, 5)}` : '—');
	const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: 'I tuoi dati — Mensa Aperta' } });
	const bytes = pdfBytes(doc);
	const u = data.user;
	doc.font('Helvetica-Bold').fontSize(16).fillColor(INK).text(toWinAnsi(`I tuoi dati — ${comune}`));
	line(doc, `Estratto il ${when(data.generatedAt)} (ora italiana). Il file JSON contiene gli stessi dati in forma completa.`);
	heading(doc, 'Dati personali');
	line(doc, `Nome e cognome: ${u.givenName} ${u.familyName}`);
	line(doc, `Codice fiscale: ${u.codiceFiscale ?? '—'}${u.fiscalCodeVerifiedAt ? ' (verificato con SPID/CIE)' : ''}`);
	line(doc, `E-mail di accesso: ${u.email ?? '—'} · E-mail per le comunicazioni: ${u.contactEmail || '—'} · Telefono: ${u.phone || '—'}`);
	line(doc, `Account creato il ${when(u.createdAt)} · Informativa privacy accettata il ${when(u.privacyAcceptedAt)}`);
	list(doc, 'Accessi (sessioni)', data.sessions.map((s) => `aperta ${when(s.createdAt)}, scade ${when(s.expiresAt)}`));
	list(doc, 'Collegamenti ai figli', data.guardianLinks.map((l) => `${l.consumer}: ${l.linkedBy === 'operator' ? "dall'ufficio" : 'con codice di attivazione'}, ${when(l.createdAt)}`));
	children(doc, data, day);
	heading(doc, 'Pagamenti e comunicazioni');
	list(doc, 'Pagamenti', data.payments.map((p) => `${when(p.createdAt)}: ${formatCents(p.amountCents)} ${p.description} (${p.channel}, ${p.status})`));
	list(doc, 'Solleciti inviati', data.reminders.map((r) => `${when(r.sentAt)} a ${r.email}: saldo ${formatCents(r.balanceCents)}, ${r.daysInDebt} giorni`));
	list(doc, 'Operazioni registrate a tuo nome', data.auditEntries.map((a) => `${when(a.at)}: ${a.action} ${a.entity} ${a.entityId}`));
	doc.end();
	return bytes;
}
