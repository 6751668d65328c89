import { fail, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';
import { tenantScope } from '$server/db/tenant-scope';
import { applyMigration, planMigration, type MigrationReport } from '$server/payments/balance-migration';
import { TOO_LARGE } from '$server/payments/office/migration-csv';
import { operatorPage } from '../pagamenti/office-page';
import { readUpload } from '$lib/server/csv-upload';

export const load: PageServerLoad = (event) => operatorPage(event).page;

const uploaded = (event: RequestEvent) => readUpload(event, { missing: 'Scegli il file CSV dei saldi.', tooLarge: TOO_LARGE });

const SHOWN_MATCHED = 100;

/** What the page shows: every line with a problem, the first matched ones, and no ids. */
function shown(r: MigrationReport) {
	const matched = r.lines.filter((l) => l.status === 'matched');
	const lines = r.lines.filter((l) => l.status !== 'matched' || matched.indexOf(l) < SHOWN_MATCHED);
	return {
		fileName: r.fileName,
		header: r.header,
		separator: r.separator,
		counts: r.counts,
		totalCents: r.totalCents,
		appliedAt: r.appliedAt,
		hiddenMatched: Math.max(0, matched.length - SHOWN_MATCHED),
		lines: lines.map(({ line, codiceFiscale, group, amountText, amountCents, status, reason, consumerName }) => ({ line, codiceFiscale, group, amountText, amountCents, status, reason, consumerName }))
	};
}

export const actions: Actions = {
	verifica: async (event) => {
		const { tenant } = operatorPage(event);
		const file = await uploaded(event);
		if ('message' in file) return fail(400, { problem: file.message });
		const plan = planMigration(event.locals.rt.db, tenantScope(tenant.id), file.fileName, file.bytes);
		if (plan.status === 'rejected') return fail(400, { problem: plan.message });
		return { step: 'dry-run' as const, report: shown(plan.report) };
	},
	applica: async (event) => {
		const { tenant } = operatorPage(event);
		const auth = event.locals.auth!;
		const file = await uploaded(event);
		if ('message' in file) return fail(400, { problem: file.message });
		const { rt } = event.locals;
		const actor = { userId: auth.user.id, name: `${auth.user.givenName} ${auth.user.familyName}`, ip: event.getClientAddress() };
		const r = applyMigration(rt.db, rt.clock, tenantScope(tenant.id), tenant.timezone, actor, file.fileName, file.bytes);
		switch (r.status) {
			case 'rejected':
				return fail(400, { problem: r.message });
			case 'not_clean':
				return fail(400, { problem: 'Nessun saldo applicato: il file ha righe non abbinate o non valide. Correggile e verifica di nuovo.', step: 'dry-run' as const, report: shown(r.report) });
			case 'already_applied':
				return fail(409, { problem: null, step: 'already' as const, report: shown(r.report) });
			case 'applied':
				return { step: 'applied' as const, report: shown(r.report), transactions: r.transactions };
		}
	}
};
