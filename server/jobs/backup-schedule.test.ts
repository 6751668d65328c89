import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { dueBackup, expiredBackups, nextBackupAt } from './backup-schedule.js';

describe('daily backup schedule (Europe/Rome)', () => {
	it("takes today's backup once its hour has come, and only if it is not there yet", () => {
		const clock = fixedClock('2026-11-23T00:59:00Z'); // 01:59 in Rome
		expect(dueBackup(clock.now(), 2, [])).toBeNull();
		clock.advance(60_000); // 02:00
		expect(dueBackup(clock.now(), 2, ['mensa-2026-11-22.db'])).toBe('mensa-2026-11-23.db');
		expect(dueBackup(clock.now(), 2, ['mensa-2026-11-22.db', 'mensa-2026-11-23.db'])).toBeNull();
		// A server down at 02:00 takes it when it is back.
		clock.set('2026-11-23T16:00:00Z');
		expect(dueBackup(clock.now(), 2, [])).toBe('mensa-2026-11-23.db');
	});

	it('names the backup after the date in Rome, not in UTC', () => {
		expect(dueBackup(new Date('2026-11-23T23:30:00Z'), 0, [])).toBe('mensa-2026-11-24.db');
	});

	it('on the spring DST night, when 02:00 never shows, takes it at 03:00', () => {
		expect(dueBackup(new Date('2027-03-28T00:59:00Z'), 2, [])).toBeNull(); // 01:59 CET
		expect(dueBackup(new Date('2027-03-28T01:00:00Z'), 2, [])).toBe('mensa-2027-03-28.db'); // 03:00 CEST
	});

	it('says when the next one is due', () => {
		expect(nextBackupAt(new Date('2026-11-23T00:30:00Z'), 2)).toEqual(new Date('2026-11-23T01:00:00Z'));
		expect(nextBackupAt(new Date('2026-11-23T01:00:00Z'), 2)).toEqual(new Date('2026-11-24T01:00:00Z'));
		// Across the autumn DST change: 02:00 CET on 25 October is 01:00 UTC, not 00:00.
		expect(nextBackupAt(new Date('2026-10-24T12:00:00Z'), 2)).toEqual(new Date('2026-10-25T01:00:00Z'));
		expect(nextBackupAt(new Date('2026-10-25T22:59:00Z'), 0)).toEqual(new Date('2026-10-25T23:00:00Z'));
	});

	it('keeps the newest backups and never touches other files', () => {
		const files = ['mensa-2026-11-20.db', 'mensa-2026-11-23.db', 'note.txt', 'mensa-2026-11-21.db', 'mensa-2026-11-22.db', 'mensa-2026-11-19.db.partial', 'mensa.db'];
		expect(expiredBackups(files, 2)).toEqual(['mensa-2026-11-21.db', 'mensa-2026-11-20.db']);
		expect(expiredBackups(files, 14)).toEqual([]);
	});
});
