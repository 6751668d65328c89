import { addDays } from '../calendar/dates.js';
import { zonedInstant, zonedParts } from '../calendar/zoned-time.js';

/** The daily backups are named by the date in Rome they were taken: one a day, and sorting by name sorts by age. */
const NAME = /^mensa-\d{4}-\d{2}-\d{2}\.db$/;
const TIME_ZONE = 'Europe/Rome';

const backupName = (date: string) => `mensa-${date}.db`;

/**
 * The backup to take now, if any: today's, once the hour has come (in Rome) and it is not there
 * yet. So a server that was down at the hour takes it when it comes back, and one restarted
 * after it does not take it twice; on the spring DST night, 02:00 never shows, 03:00 does.
 */
export function dueBackup(now: Date, hour: number, existing: string[]): string | null {
	const { date, minutes } = zonedParts(now, TIME_ZONE);
	if (minutes < hour * 60) return null;
	const name = backupName(date);
	return existing.includes(name) ? null : name;
}

/** When the next daily backup is due, for the log: today's hour if still ahead, else tomorrow's. */
export function nextBackupAt(now: Date, hour: number): Date {
	const time = `${String(hour).padStart(2, '0')}:00`;
	const { date } = zonedParts(now, TIME_ZONE);
	const today = zonedInstant(date, time, TIME_ZONE);
	return today > now ? today : zonedInstant(addDays(date, 1), time, TIME_ZONE);
}

/** The daily backups beyond the newest `keep`; any other file in the directory is not ours to delete. */
export function expiredBackups(files: string[], keep: number): string[] {
	return files
		.filter((f) => NAME.test(f))
		.sort()
		.reverse()
		.slice(keep);
}
