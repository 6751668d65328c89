import { error, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { schoolYearOf } from '$server/calendar/school-year';
import { addMonths, isIsoDate, monthOf, monthRange, ROME, zonedDateOf, type IsoDate } from '$lib/shared/dates';
import { StatementInput } from '$lib/shared/account-schemas';
import { requireRole } from './auth';
import { serverCaller } from './trpc';

/*
 * The estratto conto page and its PDF and CSV read the same ?dal=&al= period and ask the same
 * procedure, so a download always holds what the page showed.
 */

export interface QuickPeriod {
	label: string;
	from: IsoDate;
	to: IsoDate;
}

/** "Today" and so the default period come from the server's clock, on the Comune's wall clock. */
export function quickPeriods(event: RequestEvent): QuickPeriod[] {
	const timeZone = event.locals.auth?.tenant?.timezone ?? ROME;
	const now = event.locals.rt.clock.now();
	const month = monthOf(zonedDateOf(now, timeZone));
	const { startYear } = schoolYearOf(now, timeZone);
	return [
		{ label: 'Questo mese', ...monthRange(month) },
		{ label: 'Ultimi 3 mesi', from: monthRange(addMonths(month, -2)).from, to: monthRange(month).to },
		// September to August: the top-ups of the summer belong to the year they are for.
		{ label: 'Anno scolastico', from: `${startYear}-09-01`, to: `${startYear + 1}-08-31` }
	];
}

export type StatementQuery = { ok: true; input: StatementInput } | { ok: false; from: string; to: string; message: string };

/** The period asked in the URL, this month when none; a bad one is said in Italian, not thrown. */
export function statementQuery(event: RequestEvent): StatementQuery {
	const fallback = quickPeriods(event)[0];
	const from = event.url.searchParams.get('dal') || fallback.from;
	const to = event.url.searchParams.get('al') || fallback.to;
	const parsed = StatementInput.safeParse({ consumerId: Number(event.params.id), serviceGroupId: Number(event.params.group), from, to });
	if (parsed.success) return { ok: true, input: parsed.data };
	return { ok: false, from: isIsoDate(from) ? from : '', to: isIsoDate(to) ? to : '', message: parsed.error.issues[0]?.message ?? 'Periodo non valido' };
}

/** Another family's child, or a service group the child has no account in: 404, like a page that does not exist. */
export async function loadStatement(event: RequestEvent, input: StatementInput) {
	requireRole(event, 'guardian');
	try {
		return await serverCaller(event).account.statement(input);
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, e.message);
		throw e;
	}
}

/** For the downloads: a period that is not valid is a 400, with the reason. */
export async function statementForDownload(event: RequestEvent) {
	const query = statementQuery(event);
	if (!query.ok) error(400, query.message);
	const statement = await loadStatement(event, query.input);
	return {
		statement,
		document: {
			comune: `Comune di ${event.locals.auth?.tenant?.name ?? ''}`,
			consumerName: `${statement.consumer.givenName} ${statement.consumer.familyName}`,
			groupName: statement.group.name,
			...statement
		},
		fileName: `estratto-conto-${statement.consumer.givenName}-${statement.group.name}-${statement.from}-${statement.to}`
			.normalize('NFD')
			.replace(/[^A-Za-z0-9-]+/g, '-')
			.toLowerCase()
	};
}
