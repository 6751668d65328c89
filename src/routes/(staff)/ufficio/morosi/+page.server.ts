import { randomUUID } from 'node:crypto';
import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { operatorPage } from '../pagamenti/office-page';
import { debtorQueryOf } from './debtor-query';

export const load: PageServerLoad = async (event) => {
	const { page } = operatorPage(event);
	const { query, valid } = debtorQueryOf(event.url);
	const caller = serverCaller(event);
	const [list, template] = await Promise.all([caller.officeDebtors.list(query), caller.officeDebtors.template()]);
	// A fresh id per showing: a double click on «Invia» sends once.
	return { ...page, query, list, template, requestId: randomUUID(), problem: valid ? null : 'Filtri non validi: sono mostrati tutti i morosi.' };
};
