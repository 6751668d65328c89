import type { PageServerLoad } from './$types';
import { loadStatement, quickPeriods, statementQuery } from '$lib/server/statement-page';

export const load: PageServerLoad = async (event) => {
	const query = statementQuery(event);
	const periods = quickPeriods(event);
	if (!query.ok) {
		// The page still names the child and the service: the statement of this month says which.
		const { from, to } = periods[0];
		const fallback = await loadStatement(event, { consumerId: Number(event.params.id), serviceGroupId: Number(event.params.group), from, to });
		return { consumer: fallback.consumer, group: fallback.group, from: query.from, to: query.to, problem: query.message, statement: null, periods };
	}
	const statement = await loadStatement(event, query.input);
	return { consumer: statement.consumer, group: statement.group, from: statement.from, to: statement.to, problem: null, statement, periods };
};
