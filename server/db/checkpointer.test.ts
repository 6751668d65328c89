import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from './client.js';
import { startCheckpointer } from './checkpointer.js';

const MB = 2 ** 20;
const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const until = async (what: () => boolean, ms = 10_000) => {
	for (const end = Date.now() + ms; !what(); ) {
		if (Date.now() > end) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 20));
	}
};

function freshDb() {
	const path = join(mkdtempSync(join(tmpdir(), 'mensa-checkpoint-')), 'mensa.db');
	const db = openDb(path);
	db.$client.exec('CREATE TABLE note (text TEXT)');
	const write = (bytes: number) => {
		const insert = db.$client.prepare('INSERT INTO note VALUES (?)');
		db.$client.transaction(() => {
			for (let i = 0; i < bytes / 1000; i++) insert.run('x'.repeat(1000));
		})();
	};
	const notes = () => db.$client.prepare('SELECT count(*) FROM note').pluck().get();
	return { path, db, write, notes };
}

describe('WAL checkpoints done ahead on a worker thread', () => {
	it('copies committed pages into the database file before SQLite itself would', async () => {
		const { path, db, write } = freshDb();
		const checkpointer = startCheckpointer(path, () => {}, { intervalMs: 20 });
		const before = sizeOf(path);
		// 2 MB: about 500 pages, under the 1,000 at which SQLite checkpoints inside a commit.
		write(2 * MB);
		expect(sizeOf(path)).toBeLessThan(before + MB);
		await until(() => sizeOf(path) >= before + 2 * MB);
		await checkpointer.stop();
		db.$client.close();
	});

	it('leaves the WAL bounded under steady writes, and every write readable', async () => {
		const { path, db, write, notes } = freshDb();
		const checkpointer = startCheckpointer(path, () => {}, { intervalMs: 5 });
		for (let round = 0; round < 30; round++) {
			write(1 * MB);
			await new Promise((r) => setTimeout(r, 5));
		}
		// 30 MB written; the WAL starts over after SQLite's own checkpoints, as without the worker.
		expect(sizeOf(`${path}-wal`)).toBeLessThan(8 * MB);
		expect(notes()).toBe(30 * Math.ceil(MB / 1000));
		await checkpointer.stop();
		db.$client.close();
	});

	it('closes its connection when stopped, so the last close removes the WAL', async () => {
		const { path, db, write } = freshDb();
		const checkpointer = startCheckpointer(path, () => {});
		write(1 * MB);
		await checkpointer.stop();
		db.$client.close();
		expect(existsSync(`${path}-wal`)).toBe(false);
		expect(openDb(path).$client.prepare('SELECT count(*) FROM note').pluck().get()).toBe(Math.ceil(MB / 1000));
	});

	it('says so when the worker cannot run, and SQLite checkpoints as before', async () => {
		const { path, db, write, notes } = freshDb();
		const lines: string[] = [];
		startCheckpointer(join(tmpdir(), 'missing-dir-for-mensa', 'x', 'mensa.db'), (line) => lines.push(line));
		await until(() => lines.some((l) => l.includes('li fa tutti SQLite')));
		write(6 * MB);
		expect(sizeOf(path)).toBeGreaterThan(4 * MB);
		expect(notes()).toBe(Math.ceil((6 * MB) / 1000));
		db.$client.close();
	});
});
