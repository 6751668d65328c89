import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import type { PageServerLoad } from './$types';
import { serverCaller } from '$lib/server/trpc';
import { addMonths, isIsoMonth, monthOf, monthRange, ROME, zonedDateOf } from '$lib/shared/dates';

export const load: PageServerLoad = async (event) => {
	const caller = serverCaller(event);
	const consumerId = Number(event.params.id);
	const timeZone = event.locals.auth?.tenant?.timezone ?? ROME;
	// "Today" and the default month come from the server's clock, never the phone's.
	const today = zonedDateOf(event.locals.rt.clock.now(), timeZone);
	const asked = event.url.searchParams.get('mese');
	const month = asked && isIsoMonth(asked) ? asked : monthOf(today);
	try {
		const consumer = await caller.guardian.consumer({ consumerId });
		const { from, to } = monthRange(month);
		const list = await caller.meals.days({ consumerId, from, to });
		const todayView = list.days.find((d) => d.date === today) ?? (await caller.meals.days({ consumerId, from: today, to: today })).days[0];
		return {
			consumer: { id: consumer.id, givenName: consumer.givenName, familyName: consumer.familyName },
			month,
			previousMonth: addMonths(month, -1),
			nextMonth: addMonths(month, 1),
			currentMonth: monthOf(today),
			today,
			todayOpen: !todayView.locked,
			todayService: todayView.service,
			todayCutoffAt: todayView.cutoffAt,
			timeZone,
			cutoffTime: list.cutoffTime,
			serverTime: list.serverTime,
			days: list.days
		};
	} catch (e) {
		if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, e.message);
		throw e;
	}
};
