import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { tenantScope } from '$server/db/tenant-scope';
import { zonedDate } from '$server/calendar/zoned-time';
import { runImport, type ImportReport } from '$server/consumers/import/run';
import { currentSchoolYear, listSchoolYears } from '$server/schools/school-years';
import { IMPORT_TOO_LARGE } from '$server/consumers/import/read';
import { progressReporter } from '$server/consumers/import/progress';
import { readUpload } from '$lib/server/csv-upload';
import { ImportProgressInput } from '$lib/shared/import-schemas';
import { operatorPage } from '../pagamenti/office-page';

export const load: PageServerLoad = (event) => {
	const { tenant, page } = operatorPage(event);
	const { rt } = event.locals;
	const year = currentSchoolYear(listSchoolYears(rt.db, tenantScope(tenant.id)), zonedDate(rt.clock.now(), tenant.timezone));
	return { ...page, schoolYear: year?.label ?? null };
};

const SHOWN_PROBLEMS = 500;
const SHOWN_OTHERS = 100;

/** What the page shows: the summary, the lines with problems (up to 500) and the first changes. */
function shown(r: ImportReport) {
	const problems = r.lines.filter((l) => l.status === 'errore');
	const changes = r.lines.filter((l) => l.status === 'nuovo' || l.status === 'aggiornato');
	return {
		fileName: r.fileName,
		separator: r.separator,
		schoolYear: r.schoolYear,
		ignoredColumns: r.ignoredColumns,
		summary: r.summary,
		newClasses: r.newClasses.map((c) => ({ ...c, lines: c.lines.slice(0, 10), moreLines: Math.max(0, c.lines.length - 10) })),
		problems: problems.slice(0, SHOWN_PROBLEMS),
		hiddenProblems: Math.max(0, problems.length - SHOWN_PROBLEMS),
		changes: changes.slice(0, SHOWN_OTHERS),
		hiddenChanges: Math.max(0, changes.length - SHOWN_OTHERS)
	};
}

async function importFile(event: RequestEvent, apply: boolean) {
	const { tenant } = operatorPage(event);
	const auth = event.locals.auth!;
	const file = await readUpload(event, { missing: 'Scegli il file CSV delle iscrizioni.', tooLarge: IMPORT_TOO_LARGE });
	if ('message' in file) return fail(400, { problem: file.message });
	// The page names the upload with a random id and polls its progress meanwhile (tRPC officeImport.progress).
	const jobId = ImportProgressInput.shape.jobId.safeParse(file.form.get('jobId'));
	const progress = progressReporter(jobId.success ? { tenantId: tenant.id, userId: auth.user.id, jobId: jobId.data } : null);
	const { rt } = event.locals;
	const r = await runImport(rt.db, rt.clock, tenantScope(tenant.id), {
		fileName: file.fileName,
		bytes: file.bytes,
		apply,
		actor: { userId: auth.user.id, ip: event.getClientAddress() },
		timeZone: tenant.timezone,
		progress
	});
	switch (r.status) {
		case 'rejected':
			return fail(400, { problem: r.message });
		case 'not_clean':
			return fail(400, { problem: 'Nessuna modifica applicata: il file ha righe con errori. Correggile e verifica di nuovo.', step: r.status, report: shown(r.report) });
		default:
			return { problem: null, step: r.status, report: shown(r.report) };
	}
}

export const actions: Actions = {
	verifica: (event) => importFile(event, false),
	applica: (event) => importFile(event, true)
};
