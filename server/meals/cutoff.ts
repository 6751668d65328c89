import type { IsoDate } from '../calendar/dates.js';
import { zonedDate, zonedInstant } from '../calendar/zoned-time.js';

export interface CutoffPolicy {
	cutoffTime: string;
	timezone: string;
}

/** The instant after which a day's meals are final: the Comune's cutoff, same day, local time. */
export function cutoffInstant(tenant: CutoffPolicy, date: IsoDate): Date {
	return zonedInstant(date, tenant.cutoffTime, tenant.timezone);
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
