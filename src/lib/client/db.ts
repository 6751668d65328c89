import Dexie, { type EntityTable, type Table } from 'dexie';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../server/trpc/app';
import type { MarkInput } from '$lib/shared/schemas';

/*
 * The parent app's copy of its data in IndexedDB: the outbox of marks not yet acknowledged, and
 * what the server last said (days, consumers, accounts) for reading with no network. Everything
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

type OfflineCopy = Extract<inferRouterOutputs<AppRouter>['guardian']['offlineCopy'], { unchanged: false }>;
type OfflineConsumer = OfflineCopy['consumers'][number];

/** A child as the offline copy describes it (school, class, services); the day list alone keeps only the names. */
export type ConsumerRow = Pick<OfflineConsumer, 'id' | 'givenName' | 'familyName'> & Partial<Pick<OfflineConsumer, 'school' | 'schoolClass' | 'services'>>;

/** Saldo, forecast, estratto conto of the kept months and the Punto LIS card of one child in one service group. */
export type AccountRow = OfflineConsumer['accounts'][number] & { consumerId: number };

/** What the last offline copy covered, and the Comune's rules it was made with. */
export type CopyMeta = Omit<OfflineCopy, 'consumers' | 'unchanged'> & { refreshedAt: string };

export interface MetaRow {
	key: string;
	value: string;
}

export type MensaDb = Dexie & {
	outbox: EntityTable<OutboxItem, 'mutationId'>;
	days: EntityTable<DayRow, 'consumerId'>;
	consumers: EntityTable<ConsumerRow, 'id'>;
	accounts: Table<AccountRow, [number, number]>;
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
	// Version 2: the offline copy of saldi, estratti conto and Punto LIS cards replaces the unused
	// 'balances' store; its upgrade has nothing to carry over (v1 never wrote to it).
	db.version(2).stores({
		balances: null,
		accounts: '[consumerId+serviceGroupId], consumerId'
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
	await db.transaction('rw', [db.outbox, db.days, db.consumers, db.accounts, db.meta], async () => {
		await Promise.all([db.outbox.clear(), db.days.clear(), db.consumers.clear(), db.accounts.clear(), db.meta.clear()]);
	});
}

/**
 * Claims the local data for the signed-in user: another user's data (and unsent marks, which
 * the new user could not send anyway) is wiped before anything of it can be shown.
 */
export async function claimForUser(userKey: string, db: MensaDb = localDb()): Promise<void> {
	await db.transaction('rw', [db.outbox, db.days, db.consumers, db.accounts, db.meta], async () => {
		const owner = await db.meta.get(USER_KEY);
		if (owner?.value === userKey) return;
		await clearAll(db);
		await db.meta.put({ key: USER_KEY, value: userKey });
	});
}

/** Whose data the phone holds, if anyone's. */
export async function localOwner(db: MensaDb = localDb()): Promise<string | null> {
	return (await db.meta.get(USER_KEY))?.value ?? null;
}

/** Logout: nothing personal stays on the phone. */
export async function wipeLocalData(db: MensaDb = localDb()): Promise<void> {
	await clearAll(db);
}

export const COPY_KEY = 'copy';

export async function copyMeta(db: MensaDb = localDb()): Promise<CopyMeta | null> {
	const row = await db.meta.get(COPY_KEY);
	return row ? (JSON.parse(row.value) as CopyMeta) : null;
}
