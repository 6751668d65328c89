import Dexie, { type EntityTable } from 'dexie';
import type { MarkInput } from '$lib/shared/schemas';

/*
 * The parent app's copy of its data in IndexedDB: the outbox of marks not yet acknowledged, and
 * what the server last said (days, consumers, balances) for reading with no network. Everything
 * belongs to one user: a shared phone never shows one parent's data to the next.
 */

export type OutboxState = 'pending' | 'sending' | 'applied' | 'rejected';

export interface OutboxItem extends MarkInput {
	state: OutboxState;
	/** the server's Italian reason, for a refused mark */
	reason: string | null;
	code: string | null;
	/** the server's receive time, for an applied mark */
	receivedAt: string | null;
	receiptId: string | null;
	createdAt: string;
	/** the order of the taps, sent in that order: the last one for a day wins */
	seq: number;
	attempts: number;
}

/** One day as the server last described it; `day` is the meals.days view, `service` copied out for queries. */
export interface DayRow {
	consumerId: number;
	date: string;
	service: boolean;
	day: unknown;
	storedAt: string;
}

export interface ConsumerRow {
	id: number;
	givenName: string;
	familyName: string;
}

export interface BalanceRow {
	key: string;
	consumerId: number;
	value: unknown;
}

export interface MetaRow {
	key: string;
	value: string;
}

export type MensaDb = Dexie & {
	outbox: EntityTable<OutboxItem, 'mutationId'>;
	days: EntityTable<DayRow, 'consumerId'>;
	consumers: EntityTable<ConsumerRow, 'id'>;
	balances: EntityTable<BalanceRow, 'key'>;
	meta: EntityTable<MetaRow, 'key'>;
};

const USER_KEY = 'user';

export function openMensaDb(name = 'mensa-aperta'): MensaDb {
	const db = new Dexie(name) as MensaDb;
	// Each new shape of the data gets a new version() with its upgrade; never edit a released one.
	db.version(1).stores({
		outbox: 'mutationId, state, consumerId, [consumerId+date], seq',
		days: '[consumerId+date], consumerId',
		consumers: 'id',
		balances: 'key, consumerId',
		meta: 'key'
	});
	return db;
}

let shared: MensaDb | null = null;

/** The app's database, opened on first use (never during server rendering). */
export function localDb(): MensaDb {
	shared ??= openMensaDb();
	return shared;
}

async function clearAll(db: MensaDb) {
	await db.transaction('rw', [db.outbox, db.days, db.consumers, db.balances, db.meta], async () => {
		await Promise.all([db.outbox.clear(), db.days.clear(), db.consumers.clear(), db.balances.clear(), db.meta.clear()]);
	});
}

/**
 * Claims the local data for the signed-in user: another user's data (and unsent marks, which
 * the new user could not send anyway) is wiped before anything of it can be shown.
 */
export async function claimForUser(userKey: string, db: MensaDb = localDb()): Promise<void> {
	await db.transaction('rw', [db.outbox, db.days, db.consumers, db.balances, db.meta], async () => {
		const owner = await db.meta.get(USER_KEY);
		if (owner?.value === userKey) return;
		await clearAll(db);
		await db.meta.put({ key: USER_KEY, value: userKey });
	});
}

/** Logout: nothing personal stays on the phone. */
export async function wipeLocalData(db: MensaDb = localDb()): Promise<void> {
	await clearAll(db);
}

export async function noteRefresh(at: string, db: MensaDb = localDb()): Promise<void> {
	await db.meta.put({ key: 'lastRefreshAt', value: at });
}
