import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../db/client.js';
import { backupOffThread } from './backup-worker.js';

const dir = mkdtempSync(join(tmpdir(), 'mensa-backup-worker-'));

describe('the daily backup on a worker thread', () => {
	it('copies and checks the database, and leaves no partial file', async () => {
		const live = openDb(join(dir, 'mensa.db'));
		live.$client.exec("CREATE TABLE note (text TEXT); INSERT INTO note VALUES ('scritta prima del backup')");
		const dest = join(dir, 'mensa-2026-11-23.db');
		const report = await backupOffThread(join(dir, 'mensa.db'), dest, resolve('drizzle'));
		expect(report).toMatchObject({ path: dest, problems: [] });
		expect(report.tables).toBeGreaterThan(20);
		expect([existsSync(dest), existsSync(`${dest}.partial`)]).toEqual([true, false]);
		expect(openDb(dest).$client.prepare('SELECT text FROM note').pluck().get()).toBe('scritta prima del backup');
	});

	it('rejects with the reason when the database cannot be read', async () => {
		writeFileSync(join(dir, 'broken.db'), 'not a database');
		await expect(backupOffThread(join(dir, 'broken.db'), join(dir, 'out.db'), resolve('drizzle'))).rejects.toThrow(/not a database/);
		expect(existsSync(join(dir, 'out.db.partial'))).toBe(false);
	});
});
