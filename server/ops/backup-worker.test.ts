import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

	it.runIf(process.platform === 'linux')('runs at the lowest CPU priority, and only its own thread does', async () => {
		const live = openDb(join(dir, 'big.db'));
		// Big enough that the copy and its checks take a good part of a second.
		live.$client.exec("CREATE TABLE filler (text TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) INSERT INTO filler SELECT printf('%0100d', i) FROM n");
		const niceOf = (tid: string) => {
			try {
				return Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
			} catch {
				return NaN; // the thread ended as it was read
			}
		};
		const [others, main] = [new Set<number>(), new Set<number>()];
		const poll = setInterval(() => {
			for (const tid of readdirSync('/proc/self/task')) (tid === String(process.pid) ? main : others).add(niceOf(tid));
		}, 2);
		await backupOffThread(join(dir, 'big.db'), join(dir, 'big-copy.db'), resolve('drizzle'));
		clearInterval(poll);
		expect(others.has(19)).toBe(true);
		expect([...main]).toEqual([0]); // the thread that answers requests kept its priority
	});

	it('rejects with the reason when the database cannot be read', async () => {
		writeFileSync(join(dir, 'broken.db'), 'not a database');
		await expect(backupOffThread(join(dir, 'broken.db'), join(dir, 'out.db'), resolve('drizzle'))).rejects.toThrow(/not a database/);
		expect(existsSync(join(dir, 'out.db.partial'))).toBe(false);
	});
});
