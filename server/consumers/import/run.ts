import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/client.js';
import { consumers, enrolments } from '../../db/schema.js';
import type { TenantScope } from '../../db/tenant-scope.js';
import { recordAudit } from '../../audit/log.js';
import { zonedDate } from '../../calendar/zoned-time.js';
import { formatDateIt } from '../../../src/lib/shared/dates.js';
import { generateActivationCode, hashActivationCode } from '../activation.js';
import { readImportFile, type ImportLine } from './read.js';
import { createLineChecker, type CheckedLine } from './validate.js';
import { loadReference, type Reference } from './reference.js';
import { currentSchoolYear, listSchoolYears } from '../../schools/school-years.js';
import { createPlanner, type ImportSummary, type LineWrite, type NewClass, type PlannedLine } from './plan.js';
import type { ProgressReporter } from './progress.js';

/*
 * Import of pupils and enrolments from the enrolment procedure's CSV. Checking says, line by
 * line, what would change; applying is all-or-nothing in one transaction and keyed by natural
 * keys (the pupil's fiscal code in the Comune; pupil × service × school year), so the same
 * file again changes nothing. New enrolments get a fresh activation code: only its hash is
 * kept here, the letters print a new one.
 */

export interface ImportReport {
	fileName: string;
	separator: ';' | ',';
	schoolYear: string;
	ignoredColumns: string[];
	lines: PlannedLine[];
	summary: ImportSummary;
	newClasses: Omit<NewClass, 'key' | 'schoolId'>[];
}

export type ImportOutcome =
	| { status: 'rejected'; message: string }
	| { status: 'checked'; report: ImportReport }
	/** some lines have problems: nothing was written */
	| { status: 'not_clean'; report: ImportReport }
	/** the Comune already holds what the file says */
	| { status: 'unchanged'; report: ImportReport }
	| { status: 'applied'; report: ImportReport };

export interface ImportRequest {
	fileName: string;
	bytes: Uint8Array;
	apply: boolean;
	actor: { userId: string; ip: string };
	timeZone: string;
	progress?: ProgressReporter;
}

const CHUNK = 500;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The checks of each line on their own, a chunk per event-loop turn, so progress can be polled meanwhile. */
async function checkLines(lines: ImportLine[], progress: ProgressReporter): Promise<CheckedLine[]> {
	const check = createLineChecker();
	const checked: CheckedLine[] = [];
	const total = lines.length;
	for (let i = 0; i < total; i += CHUNK) {
		for (const l of lines.slice(i, i + CHUNK)) checked.push(check(l));
		progress({ phase: 'verifica', done: Math.min(i + CHUNK, total), total });
		await nextTurn();
	}
	return checked;
}

export async function runImport(db: Db, clock: Clock, scope: TenantScope, req: ImportRequest): Promise<ImportOutcome> {
	const progress = req.progress ?? (() => {});
	progress({ phase: 'lettura', done: 0, total: 0 });
	try {
		const file = readImportFile(req.bytes);
		if (file.status === 'rejected') return file;
		const checked = await checkLines(file.lines, progress);
		const total = checked.length;
		progress({ phase: req.apply ? 'scrittura' : 'verifica', done: total, total });
		const today = zonedDate(clock.now(), req.timeZone);
		// Matched and written in one synchronous transaction: nothing else runs on the connection meanwhile.
		return db.transaction((tx): ImportOutcome => {
			const year = currentSchoolYear(listSchoolYears(db, scope), today);
			if (!year) return { status: 'rejected', message: 'Il Comune non ha ancora un anno scolastico: crealo, con classi, servizi e fasce tariffarie, prima di importare.' };
			// Every year has ended: enrolments from today would never serve a meal.
			if (year.lastDay < today) return { status: 'rejected', message: `L’anno scolastico ${year.label} è finito il ${formatDateIt(year.lastDay)}: crea il nuovo anno, con classi, servizi e fasce tariffarie, prima di importare.` };
			const fiscalCodes = [...new Set(checked.flatMap((c) => (c.status === 'valid' ? [c.row.codice_fiscale_alunno] : [])))];
			const ref = loadReference(db, scope, year, fiscalCodes);
			const planner = createPlanner(ref);
			checked.forEach(planner.plan);
			const { lines, writes, summary, newClasses } = planner.result();
			const report: ImportReport = {
				fileName: req.fileName,
				separator: file.separator,
				schoolYear: year.label,
				ignoredColumns: file.ignoredColumns,
				lines,
				summary,
				newClasses: newClasses.map(({ school, name, lines }) => ({ school, name, lines }))
			};
			if (!req.apply) return { status: 'checked', report };
			if (summary.errors) return { status: 'not_clean', report };
			if (!summary.newConsumers && !summary.updatedConsumers && !summary.newEnrolments && !summary.updatedEnrolments) return { status: 'unchanged', report };
			writeLines(db, clock, scope, ref, newClasses, writes, today > year.firstDay ? today : year.firstDay);
			recordAudit(tx, clock, {
				tenantId: scope.tenantId,
				actorUserId: req.actor.userId,
				action: 'consumers.import',
				entity: 'import',
				entityId: createHash('sha256').update(req.bytes).digest('hex'),
				details: { fileName: req.fileName, schoolYear: year.label, ...summary, newClasses: report.newClasses.map((c) => `${c.school} — ${c.name}`) },
				ip: req.actor.ip
			});
			return { status: 'applied', report };
		});
	} finally {
		progress({ phase: 'fatto', done: 0, total: 0 });
	}
}

/**
 * Prepared statements rather than the query builder: ten thousand lines are twenty thousand
 * rows, and the builder's cost per row (~0.25 ms) would hold the connection for seconds.
 * Every statement names the Comune (tenant_id) like scope.where does.
 */
function writeLines(db: Db, clock: Clock, scope: TenantScope, ref: Reference, newClasses: NewClass[], writes: LineWrite[], fromDate: string): void {
	const sqlite = db.$client;
	const at = clock.now().getTime();
	const tenant = scope.tenantId;
	const insertClass = sqlite.prepare('INSERT INTO school_classes (tenant_id, school_id, school_year_id, name, created_at) VALUES (?, ?, ?, ?, ?)');
	const insertConsumer = sqlite.prepare(
		'INSERT INTO consumers (tenant_id, codice_fiscale, given_name, family_name, birth_date, school_class_id, diet_label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
	);
	const insertEnrolment = sqlite.prepare(
		`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, applicant_name, applicant_email, activation_code_hash, status, from_date, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'attiva', ?, ?)`
	);
	const classIds = new Map([...ref.classes.unique].map(([key, c]) => [key, c.id]));
	for (const c of newClasses) classIds.set(c.key, Number(insertClass.run(tenant, c.schoolId, ref.year.id, c.name, at).lastInsertRowid));
	const newConsumerIds = new Map<string, number>();
	for (const w of writes) {
		const { row } = w;
		const schoolClassId = classIds.get(w.classKey)!;
		let consumerId = w.consumerId ?? newConsumerIds.get(row.codice_fiscale_alunno)!;
		if (w.consumer === 'new') {
			consumerId = Number(insertConsumer.run(tenant, row.codice_fiscale_alunno, row.nome, row.cognome, row.data_nascita, schoolClassId, row.dieta ?? null, at).lastInsertRowid);
			newConsumerIds.set(row.codice_fiscale_alunno, consumerId);
		} else if (w.consumer) {
			const { schoolClass, ...fields } = w.consumer;
			db.update(consumers)
				.set({ ...fields, ...(schoolClass ? { schoolClassId } : {}) })
				.where(scope.where(consumers, eq(consumers.id, consumerId)))
				.run();
		}
		if (w.enrolment === 'new') {
			const hash = hashActivationCode(generateActivationCode());
			insertEnrolment.run(tenant, consumerId, w.serviceId, ref.year.id, w.tariffBandId, row.cf_richiedente, row.nome_richiedente ?? '', row.email_richiedente ?? '', hash, fromDate, at);
		} else if (w.enrolment) {
			db.update(enrolments).set(w.enrolment).where(scope.where(enrolments, eq(enrolments.id, w.enrolmentId!))).run();
		}
	}
}
