import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../../meals/test-fixture.js';
import { runImport, type ImportOutcome } from './run.js';
import { FASCIA_B, HEADER, PRIMARIA, pupilCf, pupilsFile } from './test-files.js';
import { MAX_IMPORT_BYTES } from './read.js';
import type { ImportProgress } from './progress.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const clock = fixedClock(NOV_2026);
const bytes = (text: string) => new TextEncoder().encode(text);
const run = (text: string, apply: boolean, progress?: (p: ImportProgress) => void) =>
	runImport(db, clock, f.scope, { fileName: 'iscrizioni.csv', bytes: bytes(text), apply, actor: { userId: f.operator.id, ip: '10.0.0.9' }, timeZone: 'Europe/Rome', progress });
const counts = () => rows(db, 'SELECT (SELECT count(*) FROM consumers) AS c, (SELECT count(*) FROM enrolments) AS e, (SELECT count(*) FROM school_classes) AS k, (SELECT count(*) FROM audit_log) AS a')[0];
const reportOf = (o: ImportOutcome) => {
	if (o.status === 'rejected') throw new Error(o.message);
	return o.report;
};

// Luca changes class and band; Anna as she is; a new pupil in an existing class, with a diet and two services' worth of lines for one
const GOOD = [
	'Codice fiscale alunno;Cognome;Nome;Data nascita;Scuola;Classe;Servizio;Fascia tariffaria;CF richiedente;Nome richiedente;Dieta;Protocollo',
	`RSSLCU17E04E379I;Rossi;Luca;04/05/2017;${PRIMARIA};1ª A;mensa;FASCIA A — ISEE FINO A 8.000 €;RSSMRA85C52L219F;Maria Rossi;;P-1`,
	`FRRNNA18T45E379T;Ferrari;Anna;2018-12-05;scuola primaria gianni rodari;1a A;Mensa;Fascia A — ISEE fino a 8.000 €;FRRGNN82H15L219L;;;P-2`,
	`${pupilCf(1)};Verdi;Giulia;2/2/2019;${PRIMARIA};1ª A;Mensa;${FASCIA_B};FRRGNN82H15L219L;Giovanni Ferrari;senza lattosio;P-3`
].join('\n');

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	// Anna's enrolment as the file has it, the applicant's name included: her line changes nothing.
	db.$client.prepare("UPDATE enrolments SET applicant_name = '' WHERE consumer_id = ?").run(f.anna.id);
});

describe('a good file', () => {
	it('dry run: a line-by-line plan and the summary, nothing written', async () => {
		const before = counts();
		const report = reportOf(await run(GOOD, false));
		expect(report.schoolYear).toBe('2026/27');
		expect(report.ignoredColumns).toEqual(['Protocollo']);
		expect(report.summary).toEqual({ lines: 3, newConsumers: 1, updatedConsumers: 1, newEnrolments: 1, updatedEnrolments: 1, unchanged: 1, errors: 0 });
		expect(report.lines.map((l) => [l.line, l.status, l.changes])).toEqual([
			[2, 'aggiornato', ['classe: 3ª B → 1ª A', 'fascia: Fascia B — ISEE da 8.000 a 20.000 € → Fascia A — ISEE fino a 8.000 €']],
			[3, 'invariato', []],
			[4, 'nuovo', ['nuovo alunno in 1ª A', `nuova iscrizione a Mensa, ${FASCIA_B}`]]
		]);
		expect(counts()).toEqual(before);
	});

	it('as Excel saves it: a cell on two lines and emptied rows of bare separators at the bottom', async () => {
		const report = reportOf(await run(`${GOOD.replace(';P-2', ';"P-2\r\nvedi domanda"')}\r\n;;;;;;;;;;;\r\n;;;;;;;;;;;`, false));
		expect(report.summary).toMatchObject({ lines: 3, errors: 0 });
		expect(report.lines.map((l) => [l.line, l.status])).toEqual([
			[2, 'aggiornato'],
			[3, 'invariato'],
			[4, 'nuovo']
		]);
	});

	it('apply writes it all once; the same file again says nothing changed and writes nothing', async () => {
		const before = counts();
		const applied = await run(GOOD, true);
		expect(applied.status).toBe('applied');
		expect(counts()).toEqual({ c: Number(before.c) + 1, e: Number(before.e) + 1, k: before.k, a: Number(before.a) + 1 });
		const giulia = rows(db, 'SELECT c.*, k.name AS class FROM consumers c JOIN school_classes k ON k.id = c.school_class_id WHERE codice_fiscale = ?', pupilCf(1))[0];
		expect(giulia).toMatchObject({ given_name: 'Giulia', family_name: 'Verdi', birth_date: '2019-02-02', diet_label: 'senza lattosio', class: '1ª A' });
		const enrolment = rows(db, 'SELECT * FROM enrolments WHERE consumer_id = ?', giulia.id)[0];
		expect(enrolment).toMatchObject({ applicant_fiscal_code: 'FRRGNN82H15L219L', applicant_name: 'Giovanni Ferrari', status: 'attiva', from_date: '2026-11-02' });
		expect(enrolment.activation_code_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(rows(db, 'SELECT school_class_id FROM consumers WHERE id = ?', f.luca.id)[0].school_class_id).toBe(f.cls(f.mazze.id, '1ª A').id);
		const audit = rows(db, "SELECT * FROM audit_log WHERE action = 'consumers.import'")[0];
		expect(JSON.parse(String(audit.details))).toMatchObject({ fileName: 'iscrizioni.csv', newConsumers: 1, updatedEnrolments: 1 });

		const after = counts();
		const again = await run(GOOD, true);
		expect(again.status).toBe('unchanged');
		expect(reportOf(again).summary).toMatchObject({ unchanged: 3, newConsumers: 0, updatedConsumers: 0, newEnrolments: 0, updatedEnrolments: 0 });
		expect(counts()).toEqual(after);
	});

	it('a missing class is created once, listed with its lines, and matched the next time', async () => {
		const file = pupilsFile(3);
		const report = reportOf(await run(file, false));
		expect(report.newClasses).toEqual([{ school: PRIMARIA, name: '4ª C', lines: [2, 3, 4] }]);
		expect((await run(file, true)).status).toBe('applied');
		expect(rows(db, "SELECT count(*) AS n FROM school_classes WHERE name = '4ª C'")[0].n).toBe(1);
		expect(reportOf(await run(file.replace(/4ª C/g, '4A C'), false)).newClasses).toEqual([]);
	});
});

describe('a file with bad lines', () => {
	const BAD = [
		HEADER,
		`RSSLCU17E04E379X;Rossi;Luca;04/05/2017;${PRIMARIA};3ª B;Mensa;${FASCIA_B};RSSMRA85C52L219F;;;`,
		`${pupilCf(2)};;Marco;31/02/2018;${PRIMARIA};3ª B;Mensa;${FASCIA_B};RSSMRA85C52L219F;;non-una-mail;`,
		`${pupilCf(3)};Neri;Marta;01/03/2018;Scuola inesistente;3ª B;Piscina;Fascia Z;RSSMRA85C52L219F;;;`,
		`${pupilCf(4)};Bo;Ugo;01/03/2018;${PRIMARIA};3ª B;Mensa;${FASCIA_B};RSSMRA85C52L219F;;;`,
		`${pupilCf(4)};Bo;Ugo;01/03/2018;${PRIMARIA};3ª B;Mensa;${FASCIA_B};RSSMRA85C52L219F;;;`,
		`${pupilCf(4)};Bo;Ugolino;01/03/2018;${PRIMARIA};3ª B;Trasporto;${FASCIA_B};RSSMRA85C52L219F;;;`,
		`${pupilCf(5)};Gialli;Eva;01/03/2018;${PRIMARIA};3ª B;Mensa;${FASCIA_B};RSSMRA85C52L219F;;;`
	].join('\n');

	it('reports every problem by line and field, in Italian, and applying writes nothing', async () => {
		const before = counts();
		const report = reportOf(await run(BAD, false));
		const problems = report.lines.filter((l) => l.status === 'errore').map((l) => [l.line, l.problems.map((p) => `${p.field}: ${p.reason}`)]);
		expect(problems).toEqual([
			[2, ['codice_fiscale_alunno: Codice fiscale: non valido (controlla lettere, cifre e carattere di controllo)']],
			[3, ['cognome: Cognome: campo obbligatorio', 'data_nascita: Data di nascita non valida: «31/02/2018» (usa GG/MM/AAAA oppure AAAA-MM-GG)', 'email_richiedente: E-mail: indirizzo non valido']],
			[4, ['scuola: scuola «Scuola inesistente» non trovata in questo Comune', 'servizio: servizio «Piscina» non trovato in questo Comune', 'fascia_tariffaria: fascia tariffaria «Fascia Z» non trovata per l’anno 2026/27']],
			[6, ['codice_fiscale_alunno: riga duplicata: lo stesso alunno e lo stesso servizio sono già alla riga 5']],
			[7, ['nome: diverso da quello della riga 5 per lo stesso alunno («Ugo»)']]
		]);
		expect(report.summary).toMatchObject({ lines: 7, errors: 5, newConsumers: 2 });
		const applied = await run(BAD, true);
		expect(applied.status).toBe('not_clean');
		expect(counts()).toEqual(before);
	});

	it('refuses a file without the required columns, an empty one, one too large, one not in UTF-8', async () => {
		expect(await run('cognome;nome\nRossi;Luca', false)).toEqual({ status: 'rejected', message: expect.stringContaining('Mancano colonne obbligatorie: codice_fiscale_alunno, data_nascita, scuola') });
		expect(await run(HEADER, false)).toEqual({ status: 'rejected', message: 'Il file ha solo l’intestazione: nessun alunno da importare.' });
		expect(await run('\n\n', false)).toMatchObject({ status: 'rejected', message: 'Il file è vuoto: non contiene nessuna riga.' });
		expect(await run('x'.repeat(MAX_IMPORT_BYTES + 1), false)).toMatchObject({ status: 'rejected', message: expect.stringContaining('troppo grande') });
		const latin1 = await runImport(db, clock, f.scope, { fileName: 'x.csv', bytes: new Uint8Array([0x52, 0xe8, 0x3b]), apply: false, actor: { userId: f.operator.id, ip: '' }, timeZone: 'Europe/Rome' });
		expect(latin1).toMatchObject({ status: 'rejected', message: expect.stringContaining('UTF-8') });
	});

	it('a name the Comune has twice (two schools, or "1ª A" and "1a A") is refused on its lines, never matched to one of them', async () => {
		db.$client.prepare(`INSERT INTO schools (tenant_id, name, level, managed_by, address, created_at) SELECT tenant_id, upper(name), level, managed_by, address, 0 FROM schools WHERE name = ?`).run(PRIMARIA);
		const before = counts();
		const report = reportOf(await run(GOOD, true));
		const twice = (name: string) => [`scuola: la scuola «${name}» ha lo stesso nome (a meno di maiuscole, accenti e punteggiatura) di un’altra: rinominane una in Scuole`];
		expect(report.lines.map((l) => l.problems.map((p) => `${p.field}: ${p.reason}`))).toEqual([twice(PRIMARIA), twice('scuola primaria gianni rodari'), twice(PRIMARIA)]);
		expect(counts()).toEqual(before);

		db.$client.prepare(`DELETE FROM schools WHERE name = upper(?)`).run(PRIMARIA);
		db.$client.prepare(`INSERT INTO school_classes (tenant_id, school_id, school_year_id, name, created_at) SELECT tenant_id, school_id, school_year_id, '1a A', 0 FROM school_classes WHERE name = '1ª A' AND tenant_id = ?`).run(f.mazze.id);
		const classes = reportOf(await run(GOOD, false));
		expect(classes.lines.map((l) => l.problems.map((p) => p.field))).toEqual([['classe'], ['classe'], ['classe']]);
		expect(classes.lines[0].problems[0].reason).toBe('la classe «1ª A» ha lo stesso nome (a meno di maiuscole, accenti e punteggiatura) di un’altra: rinominane una in Scuole');
	});

	it('refuses a file when every school year has ended, naming the last one, and writes nothing', async () => {
		const lastDay = String(rows(db, 'SELECT max(last_day) AS d FROM school_years WHERE tenant_id = ?', f.mazze.id)[0].d);
		const after = fixedClock(`${lastDay.slice(0, 4)}-08-20T08:00:00Z`);
		const before = counts();
		const outcome = await runImport(db, after, f.scope, { fileName: 'x.csv', bytes: bytes(GOOD), apply: true, actor: { userId: f.operator.id, ip: '' }, timeZone: 'Europe/Rome' });
		expect(outcome).toEqual({ status: 'rejected', message: expect.stringMatching(/^L’anno scolastico 2026\/27 è finito il \d\d\/\d\d\/2027: crea il nuovo anno/) });
		expect(counts()).toEqual(before);
	});

	it('an archived class takes no pupils from a file: the line says so, nothing is written', async () => {
		db.$client.prepare("UPDATE school_classes SET archived_at = 1 WHERE name = '1ª A' AND tenant_id = ?").run(f.mazze.id);
		const before = counts();
		const o = await run(GOOD, true);
		expect(o.status).toBe('not_clean');
		expect(reportOf(o).lines.map((l) => l.problems.map((p) => `${p.field}: ${p.reason}`))).toEqual(
			Array(3).fill(['classe: classe «1ª A» archiviata: ripristinala in Scuole o indica un’altra classe'])
		);
		expect(counts()).toEqual(before);
	});

	it('the same file for Chiusi matches nothing of Mazzè', async () => {
		const o = await runImport(db, clock, f.chiusiScope, { fileName: 'x.csv', bytes: bytes(GOOD), apply: true, actor: { userId: f.operator.id, ip: '' }, timeZone: 'Europe/Rome' });
		expect(o.status).toBe('not_clean');
		expect(reportOf(o).lines.every((l) => l.problems.some((p) => p.field === 'scuola'))).toBe(true);
	});
});

describe('10,000 lines', () => {
	it('fits the upload limit, reports progress, applies once and then changes nothing', async () => {
		const file = pupilsFile(10_000);
		expect(bytes(file).byteLength).toBeLessThan(MAX_IMPORT_BYTES);
		const seen: ImportProgress[] = [];
		const applied = await run(file, true, (p) => seen.push(p));
		expect(applied.status).toBe('applied');
		expect(reportOf(applied).summary).toMatchObject({ lines: 10_000, newConsumers: 10_000, newEnrolments: 10_000, errors: 0 });
		expect(seen.filter((p) => p.phase === 'verifica').map((p) => p.done)).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 500));
		expect(seen.map((p) => p.phase).slice(-2)).toEqual(['scrittura', 'fatto']);
		expect(rows(db, "SELECT count(DISTINCT activation_code_hash) AS n FROM enrolments WHERE from_date = '2026-11-02'")[0].n).toBe(10_000);
		const after = counts();
		expect((await run(file, true)).status).toBe('unchanged');
		expect(counts()).toEqual(after);
		// Three passes over 10,000 lines: about 1.5 s alone, several times that on a loaded CI machine.
	}, 30_000);
});
