import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimForUser, copyMeta, openMensaDb, wipeLocalData, type MensaDb } from '$lib/client/db';
import { createOutbox } from './outbox';
import { overlay } from './days';
import { refreshCopy, type CopyAnswer, type FetchCopy } from './refresh';
import type { DayView } from '$lib/components/DayMarkRow.svelte';

let db: MensaDb;
let n = 0;
beforeEach(async () => {
	db = openMensaDb(`refresh-${++n}`);
	await db.open();
});
afterEach(async () => {
	await db.delete();
});

const day = (date: string, patch: Partial<DayView> = {}): DayView => ({
	date,
	service: true,
	reason: null,
	assenza: false,
	pastoInBianco: false,
	locked: false,
	cutoffAt: `${date}T08:30:00.000Z`,
	closed: null,
	receipt: null,
	...patch
});

function copy(version: string, days: DayView[], balanceCents = 1250): Extract<CopyAnswer, { unchanged: false }> {
	return {
		unchanged: false,
		version,
		from: '2026-10-01',
		to: '2027-02-28',
		today: '2026-11-23',
		comune: 'Mazzè',
		cutoffTime: '09:30',
		timeZone: 'Europe/Rome',
		consumers: [
			{
				id: 7,
				givenName: 'Luca',
				familyName: 'Rossi',
				school: 'Primaria',
				schoolClass: '3A',
				services: [],
				days,
				accounts: [
					{
						serviceGroupId: 1,
						name: 'Refezione',
						balanceCents,
						forecast: { kind: 'covers', meals: 2, until: '2026-11-25' },
						statement: { from: '2026-10-01', to: '2026-11-23', openingCents: 0, closingCents: balanceCents, rows: [] },
						lis: { code: 'MA-84001550015-ABC', qrSvg: '<svg/>' }
					}
				]
			}
		]
	};
}

/** A server answering with its current copy, and a short answer when the phone has that version. */
function server(initial: Extract<CopyAnswer, { unchanged: false }>) {
	let current = initial;
	const asked: (string | undefined)[] = [];
	const fetchCopy: FetchCopy = async (version) => {
		asked.push(version);
		return version === current.version ? { unchanged: true, version } : current;
	};
	return { fetchCopy, asked, set: (c: typeof current) => (current = c) };
}

const at = (iso: string) => () => new Date(iso);

describe('the offline copy', () => {
	it('keeps the window of days, the accounts and the Comune’s rules, with the time of the refresh', async () => {
		const s = server(copy('v1', [day('2026-11-24'), day('2026-11-25')]));
		expect(await refreshCopy(db, s.fetchCopy, at('2026-11-23T07:12:00Z'))).toBe('updated');
		expect((await db.days.toArray()).map((r) => [r.consumerId, r.date])).toEqual([
			[7, '2026-11-24'],
			[7, '2026-11-25']
		]);
		expect(await db.consumers.get(7)).toMatchObject({ givenName: 'Luca', schoolClass: '3A' });
		expect(await db.accounts.get([7, 1])).toMatchObject({ balanceCents: 1250, lis: { code: 'MA-84001550015-ABC' } });
		expect(await copyMeta(db)).toMatchObject({ version: 'v1', from: '2026-10-01', to: '2027-02-28', cutoffTime: '09:30', refreshedAt: '2026-11-23T07:12:00.000Z' });
	});

	it('an unchanged copy is asked with its version, answered in one line, and only its time moves', async () => {
		const s = server(copy('v1', [day('2026-11-24')]));
		await refreshCopy(db, s.fetchCopy, at('2026-11-23T07:00:00Z'));
		expect(await refreshCopy(db, s.fetchCopy, at('2026-11-23T07:30:00Z'))).toBe('unchanged');
		expect(s.asked).toEqual([undefined, 'v1']);
		expect((await copyMeta(db))?.refreshedAt).toBe('2026-11-23T07:30:00.000Z');
		expect(await db.days.count()).toBe(1);
	});

	it('the server wins over what the phone kept: changed days, a child no longer linked, a new saldo', async () => {
		const s = server(copy('v1', [day('2026-11-24'), day('2026-11-25')]));
		await refreshCopy(db, s.fetchCopy);
		await db.consumers.put({ id: 99, givenName: 'Old', familyName: 'Child' });
		await db.days.put({ consumerId: 99, date: '2026-11-24', service: true, day: day('2026-11-24'), storedAt: '' });
		s.set(copy('v2', [day('2026-11-24', { assenza: true, receipt: { id: 'R1', receivedAt: '2026-11-23T07:40:00Z', channel: 'operatore' } })], -340));
		expect(await refreshCopy(db, s.fetchCopy)).toBe('updated');
		expect((await db.days.toArray()).map((r) => [r.consumerId, r.date, (r.day as DayView).assenza])).toEqual([[7, '2026-11-24', true]]);
		expect(await db.consumers.toCollection().primaryKeys()).toEqual([7]);
		expect((await db.accounts.get([7, 1]))?.balanceCents).toBe(-340);
	});

	it('leaves the outbox alone: a mark not yet acknowledged stays on top of the new days', async () => {
		const box = createOutbox(db, async () => {
			throw new TypeError('Failed to fetch');
		});
		await box.enqueue([{ consumerId: 7, date: '2026-11-25', kind: 'pastoInBianco', value: true }]);
		const s = server(copy('v1', [day('2026-11-24'), day('2026-11-25')]));
		await refreshCopy(db, s.fetchCopy);
		const days = (await db.days.where('consumerId').equals(7).sortBy('date')).map((r) => r.day as DayView);
		expect(overlay(days, await box.unsent(7)).map((d) => [d.date, d.pastoInBianco])).toEqual([
			['2026-11-24', false],
			['2026-11-25', true]
		]);
	});

	it('a failed request keeps the last copy as it was', async () => {
		await refreshCopy(db, server(copy('v1', [day('2026-11-24')])).fetchCopy, at('2026-11-23T07:00:00Z'));
		await expect(
			refreshCopy(db, async () => {
				throw new TypeError('Failed to fetch');
			})
		).rejects.toThrow('Failed to fetch');
		expect(await db.days.count()).toBe(1);
		expect((await copyMeta(db))?.refreshedAt).toBe('2026-11-23T07:00:00.000Z');
	});

	it('another user and logout wipe it', async () => {
		await claimForUser('1', db);
		await refreshCopy(db, server(copy('v1', [day('2026-11-24')])).fetchCopy);
		await claimForUser('2', db);
		expect([await db.days.count(), await db.accounts.count(), await copyMeta(db)]).toEqual([0, 0, null]);
		await refreshCopy(db, server(copy('v1', [day('2026-11-24')])).fetchCopy);
		await wipeLocalData(db);
		expect([await db.days.count(), await db.consumers.count(), await db.accounts.count(), await copyMeta(db)]).toEqual([0, 0, 0, null]);
	});
});

describe('the schema’s versions', () => {
	it('a phone with version 1 keeps its outbox and days when the app moves to version 2', async () => {
		const name = `upgrade-${++n}`;
		const v1 = new Dexie(name);
		v1.version(1).stores({ outbox: 'mutationId, state, consumerId, [consumerId+date], seq', days: '[consumerId+date], consumerId', consumers: 'id', balances: 'key, consumerId', meta: 'key' });
		await v1.table('outbox').add({ mutationId: 'm1', state: 'pending', consumerId: 7, date: '2026-11-24', kind: 'assenza', value: true, seq: 1 });
		await v1.table('days').add({ consumerId: 7, date: '2026-11-24', service: true, day: day('2026-11-24'), storedAt: '' });
		await v1.table('meta').put({ key: 'user', value: '1' });
		v1.close();

		const v2 = openMensaDb(name);
		await v2.open();
		expect(v2.verno).toBe(2);
		expect((await v2.outbox.toArray()).map((i) => [i.mutationId, i.state])).toEqual([['m1', 'pending']]);
		expect(await v2.days.count()).toBe(1);
		expect(v2.tables.map((t) => t.name).sort()).toEqual(['accounts', 'consumers', 'days', 'meta', 'outbox']);
		await v2.delete();
	});
});
