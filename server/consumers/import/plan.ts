import type { ImportRow } from '../../../src/lib/shared/import-schemas.js';
import { nameKey, type Reference } from './reference.js';
import type { CheckedLine, LineProblem } from './validate.js';

/** nuovo: a new pupil or a new enrolment; aggiornato: something changes; invariato: as it is already. */
export type LineStatus = 'nuovo' | 'aggiornato' | 'invariato' | 'errore';

export interface PlannedLine {
	line: number;
	codiceFiscale: string;
	name: string;
	status: LineStatus;
	/** what applying would do, in Italian */
	changes: string[];
	problems: LineProblem[];
}

type ConsumerDiff = { familyName?: string; givenName?: string; birthDate?: string; dietLabel?: string | null; schoolClass?: true };
type EnrolmentDiff = { tariffBandId?: number; applicantFiscalCode?: string; applicantName?: string; applicantEmail?: string };

/** What apply writes for one valid line; consumer fields only on the pupil's first line. */
export interface LineWrite {
	row: ImportRow;
	classKey: string;
	serviceId: number;
	tariffBandId: number;
	consumerId: number | null;
	/** new: insert the pupil; a diff: update these; null: nothing (as it is, or not the pupil's first line) */
	consumer: 'new' | ConsumerDiff | null;
	enrolmentId: number | null;
	enrolment: 'new' | EnrolmentDiff | null;
}

export interface NewClass {
	key: string;
	schoolId: number;
	school: string;
	name: string;
	lines: number[];
}

export interface ImportSummary {
	lines: number;
	newConsumers: number;
	updatedConsumers: number;
	newEnrolments: number;
	updatedEnrolments: number;
	unchanged: number;
	errors: number;
}

export function createPlanner(ref: Reference) {
	const lines: PlannedLine[] = [];
	const writes: LineWrite[] = [];
	const newClasses = new Map<string, NewClass>();
	const pupilsSeen = new Set<string>();
	const summary: ImportSummary = { lines: 0, newConsumers: 0, updatedConsumers: 0, newEnrolments: 0, updatedEnrolments: 0, unchanged: 0, errors: 0 };

	function plan(c: CheckedLine): void {
		summary.lines++;
		if (c.status === 'invalid') {
			summary.errors++;
			lines.push({ line: c.line, codiceFiscale: c.codiceFiscale, name: c.name, status: 'errore', changes: [], problems: c.problems });
			return;
		}
		const { row } = c;
		const cf = row.codice_fiscale_alunno;
		const base = { line: c.line, codiceFiscale: cf, name: `${row.nome} ${row.cognome}` };
		const problems: LineProblem[] = [];
		const school = ref.schools.unique.get(nameKey(row.scuola));
		const service = ref.services.unique.get(nameKey(row.servizio));
		const band = ref.bands.unique.get(nameKey(row.fascia_tariffaria));
		const sameName = '(a meno di maiuscole, accenti e punteggiatura)';
		if (ref.schools.ambiguous.has(nameKey(row.scuola))) problems.push({ field: 'scuola', reason: `la scuola «${row.scuola}» ha lo stesso nome ${sameName} di un’altra: rinominane una in Scuole` });
		else if (!school) problems.push({ field: 'scuola', reason: `scuola «${row.scuola}» non trovata in questo Comune` });
		if (ref.services.ambiguous.has(nameKey(row.servizio))) problems.push({ field: 'servizio', reason: `il servizio «${row.servizio}» ha lo stesso nome ${sameName} di un altro: rinominane uno in Tariffe` });
		else if (!service) problems.push({ field: 'servizio', reason: `servizio «${row.servizio}» non trovato in questo Comune` });
		if (ref.bands.ambiguous.has(nameKey(row.fascia_tariffaria))) problems.push({ field: 'fascia_tariffaria', reason: `la fascia «${row.fascia_tariffaria}» ha lo stesso nome ${sameName} di un’altra: rinominane una in Tariffe` });
		else if (!band) problems.push({ field: 'fascia_tariffaria', reason: `fascia tariffaria «${row.fascia_tariffaria}» non trovata per l’anno ${ref.year.label}` });
		const classKey = school ? `${school.id}|${nameKey(row.classe)}` : '';
		if (ref.classes.ambiguous.has(classKey)) problems.push({ field: 'classe', reason: `la classe «${row.classe}» ha lo stesso nome ${sameName} di un’altra: rinominane una in Scuole` });
		const existingClass = ref.classes.unique.get(classKey);
		if (existingClass?.archivedAt) problems.push({ field: 'classe', reason: `classe «${existingClass.name}» archiviata: ripristinala in Scuole o indica un’altra classe` });
		if (!school || !service || !band || problems.length) {
			summary.errors++;
			lines.push({ ...base, status: 'errore', changes: [], problems });
			return;
		}
		const changes: string[] = [];
		if (!existingClass) {
			const nc = newClasses.get(classKey) ?? { key: classKey, schoolId: school.id, school: school.name, name: row.classe, lines: [] };
			nc.lines.push(c.line);
			newClasses.set(classKey, nc);
		}
		const className = existingClass?.name ?? row.classe;

		const existing = ref.consumers.get(cf) ?? null;
		let consumer: LineWrite['consumer'] = null;
		if (!pupilsSeen.has(cf)) {
			pupilsSeen.add(cf);
			if (!existing) {
				changes.push(`nuovo alunno in ${className}`);
				summary.newConsumers++;
			} else {
				const diff: ConsumerDiff = {};
				if (existing.familyName !== row.cognome) diff.familyName = row.cognome;
				if (existing.givenName !== row.nome) diff.givenName = row.nome;
				if (existing.birthDate !== row.data_nascita) diff.birthDate = row.data_nascita;
				if (row.dieta !== undefined && (existing.dietLabel ?? null) !== row.dieta) diff.dietLabel = row.dieta;
				if (!existingClass || existing.schoolClassId !== existingClass.id) diff.schoolClass = true;
				if (diff.familyName || diff.givenName) changes.push(`nome: ${existing.givenName} ${existing.familyName} → ${row.nome} ${row.cognome}`);
				if (diff.birthDate) changes.push(`data di nascita: ${existing.birthDate ?? '—'} → ${row.data_nascita}`);
				if (diff.dietLabel !== undefined) changes.push(`dieta: ${existing.dietLabel ?? 'nessuna'} → ${row.dieta ?? 'nessuna'}`);
				if (diff.schoolClass) changes.push(`classe: ${(existing.schoolClassId && ref.classNames.get(existing.schoolClassId)) || 'altra o nessuna'} → ${className}`);
				if (Object.keys(diff).length) {
					consumer = diff;
					summary.updatedConsumers++;
				}
			}
			if (!existing) consumer = 'new';
		}

		const enrolment = existing ? (ref.enrolments.get(`${existing.id}|${service.id}`) ?? null) : null;
		let enrolmentDiff: LineWrite['enrolment'] = null;
		if (!enrolment) {
			changes.push(`nuova iscrizione a ${service.name}, ${band.name}`);
			summary.newEnrolments++;
		} else {
			const diff: EnrolmentDiff = {};
			if (enrolment.tariffBandId !== band.id) {
				diff.tariffBandId = band.id;
				changes.push(`fascia: ${ref.bandNames.get(enrolment.tariffBandId) ?? 'altra'} → ${band.name}`);
			}
			if (enrolment.applicantFiscalCode !== row.cf_richiedente) {
				diff.applicantFiscalCode = row.cf_richiedente;
				changes.push(`richiedente: ${enrolment.applicantFiscalCode} → ${row.cf_richiedente}`);
			}
			if (row.nome_richiedente !== undefined && enrolment.applicantName !== (row.nome_richiedente ?? '')) {
				diff.applicantName = row.nome_richiedente ?? '';
				changes.push(`nome del richiedente: ${enrolment.applicantName || '—'} → ${row.nome_richiedente ?? '—'}`);
			}
			if (row.email_richiedente !== undefined && enrolment.applicantEmail !== (row.email_richiedente ?? '')) {
				diff.applicantEmail = row.email_richiedente ?? '';
				changes.push(`e-mail del richiedente: ${enrolment.applicantEmail || '—'} → ${row.email_richiedente ?? '—'}`);
			}
			if (Object.keys(diff).length) {
				enrolmentDiff = diff;
				summary.updatedEnrolments++;
			}
		}
		const status: LineStatus = !existing || !enrolment ? 'nuovo' : changes.length ? 'aggiornato' : 'invariato';
		if (status === 'invariato') summary.unchanged++;
		lines.push({ ...base, status, changes, problems: [] });
		writes.push({ row, classKey, serviceId: service.id, tariffBandId: band.id, consumerId: existing?.id ?? null, consumer, enrolmentId: enrolment?.id ?? null, enrolment: enrolment ? enrolmentDiff : 'new' });
	}

	return { plan, result: () => ({ lines, writes, summary, newClasses: [...newClasses.values()] }) };
}
