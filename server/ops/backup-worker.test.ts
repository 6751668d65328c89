import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededDb } from '../meals/test-fixture.js';
import { copyDatabase, partialOf } from './backup.js';
import { sealAndInspectOffThread } from './backup-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'mensa-backup-worker-'));

describe('the daily backup, sealed and checked on a worker thread', () => {
	it('turns the copy into a checked backup and leaves no partial file', async () => {
		const db = await seededDb();
		const dest = join(dir, 'mensa-2026-11-23.db');
		await copyDatabase(db.$client, partialOf(dest), { pagesPerStep: 8 });
		const report = await sealAndInspectOffThread(partialOf(dest), dest, resolve('drizzle'));
		expect(report).toMatchObject({ path: dest, problems: [] });
		expect(report.tables).toBeGreaterThan(20);
		expect([existsSync(dest), existsSync(partialOf(dest))]).toEqual([true, false]);
	});

	it('reports a copy that is not a database instead of calling it a backup', async () => {
		const dest = join(dir, 'broken.db');
		writeFileSync(partialOf(dest), 'not a database');
		const outcome = await sealAndInspectOffThread(partialOf(dest), dest, resolve('drizzle')).then(
			(report) => report.problems.join(' '),
			(error: Error) => error.message
		);
		expect(outcome).toMatch(/not a database|non leggibile/);
		expect(existsSync(partialOf(dest))).toBe(false);
	});
});
