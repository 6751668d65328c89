import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { seededDb } from '../meals/test-fixture.js';
import { recordAudit } from './log.js';

describe('audit log', () => {
	it('is append-only: the database refuses UPDATE and DELETE of its rows', async () => {
		const db = await seededDb();
		recordAudit(db, fixedClock(new Date('2026-11-23T08:00:00Z')), { tenantId: null, actorUserId: 'u1', action: 'test', entity: 'tenant', entityId: '1', details: {}, ip: '127.0.0.1' });
		expect((db.$client.prepare(`SELECT count(*) AS n FROM audit_log WHERE action = 'test'`).get() as { n: number }).n).toBe(1);
		expect(() => db.$client.prepare(`UPDATE audit_log SET action = 'changed'`).run()).toThrow(/append-only/);
		expect(() => db.$client.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
	});
});
