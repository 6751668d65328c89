import { describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { openDb } from './client.js';
import { rateLimits } from './schema.js';
import { createGroupCommit } from './group-commit.js';

const insert = (db: ReturnType<typeof openDb>, key: string) => () => db.insert(rateLimits).values({ key, count: 1, windowEndsAt: new Date(0) }).run();
const rows = (db: ReturnType<typeof openDb>) => db.select({ n: count() }).from(rateLimits).get()!.n;

describe('group commit', () => {
	it('commits the writes queued in one turn together and answers each after the commit', async () => {
		const db = openDb(':memory:');
		const commit = createGroupCommit(db);
		let committedBeforeAnswer = -1;
		const first = commit(insert(db, 'a')).then(() => (committedBeforeAnswer = rows(db)));
		const second = commit(insert(db, 'b'));
		expect(rows(db)).toBe(0); // nothing runs before the turn ends
		await Promise.all([first, second]);
		expect(committedBeforeAnswer).toBe(2);
	});

	it('rolls back a failing unit alone and rejects only its caller', async () => {
		const db = openDb(':memory:');
		const commit = createGroupCommit(db);
		const results = await Promise.allSettled([
			commit(insert(db, 'a')),
			commit(() => {
				insert(db, 'half-written')();
				throw new Error('refused');
			}),
			commit(insert(db, 'a')), // duplicate key: fails too
			commit(insert(db, 'c'))
		]);
		expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
		expect(db.select().from(rateLimits).all().map((r) => r.key).sort()).toEqual(['a', 'c']);
	});
});
