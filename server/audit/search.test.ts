import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { fixtureOf, rome, seededDb } from '../meals/test-fixture.js';
import { recordAudit } from './log.js';
import { AUDIT_PAGE_SIZE, searchAudit, type AuditQuery } from './search.js';

let db: Db;
let f: ReturnType<typeof fixtureOf>;
const any: AuditQuery = { page: 1, action: '', entity: '', actor: '', from: '', to: '', q: '' };
const search = (q: Partial<AuditQuery>, scope = f.scope) => searchAudit(db, scope, 'Europe/Rome', { ...any, ...q });

beforeEach(async () => {
	db = await seededDb();
	f = fixtureOf(db);
	const at = (date: string, time: string) => fixedClock(rome(date, time, false));
	recordAudit(db, at('2026-11-02', '08:00:00'), { tenantId: f.mazze.id, actorUserId: f.operator.id, action: 'debtors.remind', entity: 'reminder_batch', entityId: 'r-1', details: { accounts: [{ name: 'Anna Ferrari' }] } });
	recordAudit(db, at('2026-11-03', '00:30:00'), { tenantId: f.mazze.id, actorUserId: f.operator.id, action: 'calendar.closure_add', entity: 'closure', entityId: 7, details: { reason: 'Sciopero 100%_totale' } });
	recordAudit(db, at('2026-11-03', '23:30:00'), { tenantId: f.mazze.id, actorUserId: f.maria.id, action: 'session.login', entity: 'user', entityId: f.maria.id });
	recordAudit(db, at('2026-11-04', '09:00:00'), { tenantId: f.chiusi.id, actorUserId: null, action: 'debtors.remind', entity: 'reminder_batch', entityId: 'r-2', details: { accounts: [{ name: 'Anna Ferrari' }] } });
	recordAudit(db, at('2026-11-04', '09:00:00'), { tenantId: null, actorUserId: null, action: 'tenant.create', entity: 'tenant', entityId: 1 });
});

describe('registro', () => {
	it('lists the Comune’s entries newest first, with who acted, and nothing of another Comune or of the platform', () => {
		const mine = search({ from: '2026-11-01' });
		expect(mine.rows.map((r) => r.action)).toEqual(['session.login', 'calendar.closure_add', 'debtors.remind']);
		expect(mine.rows[2]).toMatchObject({ actorEmail: 'ufficio@mazze.example.it', entity: 'reminder_batch', entityId: 'r-1' });
		expect(search({ from: '2026-11-01' }, f.chiusiScope).rows.map((r) => r.entityId)).toEqual(['r-2']);
	});

	it('filters by action, entity, actor e-mail, days on the Comune’s clock and text in the details', () => {
		expect(search({ action: 'debtors.remind' }).rows.map((r) => r.entityId)).toEqual(['r-1']);
		expect(search({ entity: 'closure' }).total).toBe(1);
		expect(search({ actor: 'maria.rossi', from: '2026-11-01' }).rows.map((r) => r.action)).toEqual(['session.login']);
		// 00:30 and 23:30 in Rome are still the 3rd, though not in UTC
		expect(search({ from: '2026-11-03', to: '2026-11-03' }).rows.map((r) => r.action)).toEqual(['session.login', 'calendar.closure_add']);
		expect(search({ q: 'anna ferrari' }).rows.map((r) => r.entityId)).toEqual(['r-1']);
		// "%" and "_" are letters
		expect(search({ q: '100%_' }).total).toBe(1);
		expect(search({ q: '%' }).total).toBe(1);
	});

	it('pages fifty at a time', () => {
		const clock = fixedClock('2026-11-05T10:00:00Z');
		for (let i = 0; i < AUDIT_PAGE_SIZE + 5; i++) {
			clock.advance(1000);
			recordAudit(db, clock, { tenantId: f.mazze.id, actorUserId: f.operator.id, action: 'test.bulk', entity: 'x', entityId: i });
		}
		const second = search({ action: 'test.bulk', page: 2 });
		expect(second).toMatchObject({ total: AUDIT_PAGE_SIZE + 5, page: 2, pages: 2 });
		expect(second.rows.map((r) => r.entityId)).toEqual(['4', '3', '2', '1', '0']);
	});
});
