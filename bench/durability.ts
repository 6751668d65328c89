/**
 * What synchronous = FULL costs (issue 8.1). The app runs SQLite in WAL with synchronous = FULL,
 * so every commit is fsynced before the answer; NORMAL, WAL's usual setting, would skip that
 * fsync and can lose the last commits on a power cut (never on a crash of the process alone).
 * The same marks, through the app's applyMarks, on a real file of the demo seed, once per setting:
 *   - one commit per mark: a lone guardian in the evening, the worst case for FULL;
 *   - 50 guardians at once through the group commit, as on a strike morning.
 *
 *   npx tsx bench/durability.ts          (npm run bench runs it)
 *   BENCH_MARKS=2000 BENCH_DIR=/var/lib/mensa npx tsx bench/durability.ts   (the disk that matters)
 * The figure depends on the disk's fsync above all: run it where the data lives.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock } from '../server/clock.js';
import { openDb, type Db } from '../server/db/client.js';
import { createGroupCommit } from '../server/db/group-commit.js';
import { applyMarks, type Mark } from '../server/meals/marks.js';
import { fixtureOf, NOV_2026, seededDb } from '../server/meals/test-fixture.js';
import { elapsed, printFigure, writeResult, type Figure } from './common.js';

const MARKS = Number(process.env.BENCH_MARKS ?? 3_000);
const GUARDIANS = 50;
const SETTINGS = ['NORMAL', 'FULL'] as const;
const clock = fixedClock(NOV_2026);

/** Weekdays of November and December 2026, all after the clock's cutoff. */
const DATES = Array.from({ length: 60 }, (_, i) => new Date(Date.parse('2026-11-03T12:00:00Z') + i * 86_400_000))
	.filter((d) => d.getUTCDay() % 6 !== 0)
	.map((d) => d.toISOString().slice(0, 10));

function fileWith(image: Buffer, dir: string, setting: (typeof SETTINGS)[number], name: string): Db {
	const path = join(dir, `${name}-${setting}.db`);
	writeFileSync(path, image);
	const db = openDb(path);
	db.$client.pragma(`synchronous = ${setting}`);
	return db;
}

function marker(db: Db) {
	const f = fixtureOf(db);
	const actor = f.guardian();
	let n = 0;
	return () => {
		const i = n++;
		const mark: Mark = { mutationId: randomUUID(), consumerId: i % 2 ? f.luca.id : f.sofia.id, date: DATES[Math.floor(i / 2) % DATES.length], kind: 'assenza', value: Math.floor(i / (2 * DATES.length)) % 2 === 0 };
		return applyMarks(db, clock, f.scope, f.mazze, actor, [mark]);
	};
}

function oneCommitEach(db: Db): number {
	const mark = marker(db);
	const start = process.hrtime.bigint();
	for (let i = 0; i < MARKS; i++) mark();
	return MARKS / elapsed(start);
}

async function grouped(db: Db): Promise<number> {
	const mark = marker(db);
	const groupCommit = createGroupCommit(db);
	let left = MARKS;
	const start = process.hrtime.bigint();
	await Promise.all(
		Array.from({ length: GUARDIANS }, async () => {
			while (left-- > 0) await groupCommit(mark);
		})
	);
	return MARKS / elapsed(start);
}

async function main() {
	const image = (await seededDb()).$client.serialize();
	const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'mensa-bench-durability-'));
	const results: Record<string, { oneCommitEach: number; grouped: number }> = {};
	try {
		for (const setting of SETTINGS) {
			const single = fileWith(image, dir, setting, 'single');
			const many = fileWith(image, dir, setting, 'grouped');
			results[setting] = { oneCommitEach: oneCommitEach(single), grouped: await grouped(many) };
			const applied = [single, many].map((db) => db.$client.prepare("SELECT count(*) FROM mark_events WHERE outcome = 'applied'").pluck().get() as number);
			if (applied.some((n) => n < MARKS / 2)) throw new Error(`${setting}: only ${applied} marks applied of ${MARKS}`);
			single.$client.close();
			many.$client.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const { NORMAL, FULL } = results;
	const figures: Figure[] = [
		{ name: 'marks/s, one commit each, NORMAL', value: Math.round(NORMAL.oneCommitEach), unit: 'marks/s' },
		{ name: 'marks/s, one commit each, FULL', value: Math.round(FULL.oneCommitEach), unit: 'marks/s' },
		{ name: 'ratio FULL/NORMAL, one commit each', value: Number((FULL.oneCommitEach / NORMAL.oneCommitEach).toFixed(2)), unit: '×' },
		{ name: `marks/s, ${GUARDIANS} at once (group commit), NORMAL`, value: Math.round(NORMAL.grouped), unit: 'marks/s' },
		{ name: `marks/s, ${GUARDIANS} at once (group commit), FULL`, value: Math.round(FULL.grouped), unit: 'marks/s' },
		{ name: 'ratio FULL/NORMAL, group commit', value: Number((FULL.grouped / NORMAL.grouped).toFixed(2)), unit: '×' }
	];
	console.log(`durability: ${MARKS} marks per run, applyMarks on a file (WAL) in ${process.env.BENCH_DIR ?? tmpdir()}`);
	for (const f of figures) printFigure(f);
	const path = writeResult('durability', { parameters: { marks: MARKS, guardians: GUARDIANS, dir: process.env.BENCH_DIR ?? tmpdir() }, results, checks: { ok: true }, figures });
	console.log(`  → ${path}`);
}

await main();
