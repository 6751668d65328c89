import type { IsoDate } from '../calendar/dates.js';
import { zonedDate, zonedInstant } from '../calendar/zoned-time.js';

export interface CutoffPolicy {
	cutoffTime: string;
	timezone: string;
}

// Every mark asks for its day's cutoff; the time-zone arithmetic behind it is worth keeping.
const instants = new Map<string, number>();

/** The instant after which a day's meals are final: the Comune's cutoff, same day, local time. */
export function cutoffInstant(tenant: CutoffPolicy, date: IsoDate): Date {
	const key = `${tenant.timezone}|${tenant.cutoffTime}|${date}`;
	let at = instants.get(key);
	if (at === undefined) {
		if (instants.size > 50_000) instants.clear();
		at = zonedInstant(date, tenant.cutoffTime, tenant.timezone).getTime();
		instants.set(key, at);
	}
	return new Date(at);
}

/** The server's receive time decides, never the phone's clock. */
export function isBeforeCutoff(tenant: CutoffPolicy, date: IsoDate, receivedAt: Date): boolean {
	return receivedAt.getTime() < cutoffInstant(tenant, date).getTime();
}

export function cutoffPassedMessage(tenant: CutoffPolicy): string {
	return `Oltre l'orario limite (${tenant.cutoffTime}): contatta l'ufficio scuola`;
}

export function todayOf(tenant: CutoffPolicy, now: Date): IsoDate {
	return zonedDate(now, tenant.timezone);
}
