import { ImportRow, type ImportColumn } from '../../../src/lib/shared/import-schemas.js';
import type { ImportLine } from './read.js';
import { nameKey } from './reference.js';

export interface LineProblem {
	/** null: the line as a whole */
	field: ImportColumn | null;
	reason: string;
}

export type CheckedLine = { line: number; status: 'valid'; row: ImportRow } | { line: number; status: 'invalid'; codiceFiscale: string; name: string; problems: LineProblem[] };

/** The pupil's own data: every line of the same pupil (one per service) must agree on it. */
const PUPIL_FIELDS = ['cognome', 'nome', 'data_nascita', 'scuola', 'classe', 'dieta'] as const;

/**
 * Checks each line on its own (the shared zod schema) and against the lines before it: the
 * same pupil twice for one service is a duplicate, and one pupil's lines must agree on who
 * the pupil is. Stateful: feed the lines in file order.
 */
export function createLineChecker() {
	const byPupilService = new Map<string, number>();
	const byPupil = new Map<string, { line: number; row: ImportRow }>();

	return (l: ImportLine): CheckedLine => {
		const parsed = ImportRow.safeParse(l.values);
		const codiceFiscale = (l.values.codice_fiscale_alunno ?? '').replace(/\s+/g, '').toUpperCase();
		const name = `${l.values.nome ?? ''} ${l.values.cognome ?? ''}`.trim();
		if (!parsed.success) {
			const problems = parsed.error.issues.map((i) => ({ field: (i.path[0] as ImportColumn | undefined) ?? null, reason: i.message }));
			return { line: l.line, status: 'invalid', codiceFiscale, name, problems };
		}
		const row = parsed.data;
		const problems: LineProblem[] = [];
		const key = `${row.codice_fiscale_alunno}|${nameKey(row.servizio)}`;
		const twin = byPupilService.get(key);
		if (twin !== undefined) problems.push({ field: 'codice_fiscale_alunno', reason: `riga duplicata: lo stesso alunno e lo stesso servizio sono già alla riga ${twin}` });
		else byPupilService.set(key, l.line);
		const first = byPupil.get(row.codice_fiscale_alunno);
		if (first) {
			for (const f of PUPIL_FIELDS) {
				const a = first.row[f] ?? '';
				const b = row[f] ?? '';
				if (nameKey(a) !== nameKey(b)) problems.push({ field: f, reason: `diverso da quello della riga ${first.line} per lo stesso alunno («${a}»)` });
			}
		} else byPupil.set(row.codice_fiscale_alunno, { line: l.line, row });
		if (problems.length) return { line: l.line, status: 'invalid', codiceFiscale, name, problems };
		return { line: l.line, status: 'valid', row };
	};
}
