import type { Db } from './client.js';

/**
 * A query built and prepared once per connection. Building a drizzle query and preparing its
 * SQL cost more than running it: the paths taken on every request (session, marks) use these.
 */
export function preparedFor<T>(build: (db: Db) => T): (db: Db) => T {
	const cache = new WeakMap<Db, T>();
	return (db) => {
		let prepared = cache.get(db);
		if (!prepared) {
			prepared = build(db);
			cache.set(db, prepared);
		}
		return prepared;
	};
}
