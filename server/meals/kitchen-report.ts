import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dayCloses, ledgerTransactions, schoolClasses, schools } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { loadCalendar } from '../calendar/service-days.js';
import type { IsoDate } from '../calendar/dates.js';
import { PRESENT_ENROLMENTS_SQL } from './day-close.js';
import { BOM, csvCell } from '../csv/write-csv.js';

export interface KitchenRow {
	school: string;
	schoolClass: string;
	normale: number;
	bianco: number;
	/** special diets by label: counted within normale/bianco, listed so the kitchen cooks them */
	diets: Record<string, number>;
}

export interface KitchenReport {
	date: IsoDate;
	/** final: fixed at the day close; forecast: live, until the cutoff */
	status: 'final' | 'forecast';
	closedAt: string | null;
	rows: KitchenRow[];
	totals: { normale: number; bianco: number; pasti: number; diets: Record<string, number> };
}

interface Counted {
	school_id: number;
	school_class_id: number;
	kind: 'normale' | 'bianco';
	diet_label: string | null;
	n: number;
}

/**
 * The counts per school and class. After the close they are read from the meals the close
 * made (later corrections change the bill, not what was cooked); before it, a forecast from
 * the same query the close will run.
 */
export function kitchenReport(db: Db, tenantId: number, date: IsoDate, onlySchools: number[] | null = null): KitchenReport {
	const scope = tenantScope(tenantId);
	const client = db.$client;
	const close = db.select().from(dayCloses).where(scope.where(dayCloses, eq(dayCloses.date, date))).get();
	let counted: Counted[];
	if (close) {
		const tx = db
			.select({ id: ledgerTransactions.id })
			.from(ledgerTransactions)
			.where(and(eq(ledgerTransactions.externalId, `day-close:${tenantId}:${date}`)))
			.get();
		counted = client
			.prepare(
				`SELECT school_id, school_class_id, kind, diet_label, count(*) AS n FROM meals
				 WHERE tenant_id = ? AND date = ? AND transaction_id = ? GROUP BY school_id, school_class_id, kind, diet_label`
			)
			.all(tenantId, date, tx?.id ?? -1) as Counted[];
	} else {
		const served = JSON.stringify(loadCalendar(db, scope, date, date).servedClasses(date));
		counted = client
			.prepare(`SELECT school_id, school_class_id, kind, diet_label, count(*) AS n FROM (${PRESENT_ENROLMENTS_SQL}) GROUP BY school_id, school_class_id, kind, diet_label`)
			.all({ tenant: tenantId, date, served }) as Counted[];
	}
	// School staff see the schools delegated to them, the kitchen and the ufficio all of them.
	if (onlySchools) counted = counted.filter((c) => onlySchools.includes(c.school_id));
	const names = new Map(
		db
			.select({ id: schoolClasses.id, schoolClass: schoolClasses.name, school: schools.name })
			.from(schoolClasses)
			.innerJoin(schools, eq(schools.id, schoolClasses.schoolId))
			.where(scope.where(schoolClasses))
			.all()
			.map((r) => [r.id, r])
	);
	const rows = new Map<number, KitchenRow>();
	const totals = { normale: 0, bianco: 0, pasti: 0, diets: {} as Record<string, number> };
	for (const c of counted) {
		const name = names.get(c.school_class_id);
		const row = rows.get(c.school_class_id) ?? { school: name?.school ?? '?', schoolClass: name?.schoolClass ?? '?', normale: 0, bianco: 0, diets: {} };
		row[c.kind] += c.n;
		totals[c.kind] += c.n;
		totals.pasti += c.n;
		if (c.diet_label) {
			row.diets[c.diet_label] = (row.diets[c.diet_label] ?? 0) + c.n;
			totals.diets[c.diet_label] = (totals.diets[c.diet_label] ?? 0) + c.n;
		}
		rows.set(c.school_class_id, row);
	}
	return {
		date,
		status: close ? 'final' : 'forecast',
		closedAt: close?.closedAt.toISOString() ?? null,
		rows: [...rows.values()].sort((a, b) => a.school.localeCompare(b.school, 'it') || a.schoolClass.localeCompare(b.schoolClass, 'it')),
		totals
	};
}

const cell = (v: string | number) => csvCell(typeof v === 'number' ? 'intero' : 'testo', v);

/** Semicolon-separated, as Italian spreadsheets expect; one line per class. */
export function kitchenReportCsv(report: KitchenReport): string {
	const lines = [['Data', 'Stato', 'Scuola', 'Classe', 'Pasti normali', 'Pasti in bianco', 'Totale', 'Diete speciali'].join(';')];
	for (const r of report.rows) {
		const diets = Object.entries(r.diets)
			.map(([label, n]) => `${label}: ${n}`)
			.join(', ');
		lines.push([report.date, report.status === 'final' ? 'definitivo' : 'previsione', r.school, r.schoolClass, r.normale, r.bianco, r.normale + r.bianco, diets].map(cell).join(';'));
	}
	return `${BOM}${lines.join('\r\n')}\r\n`;
}
