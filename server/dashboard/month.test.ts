import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { closeDay } from '../meals/day-close.js';
import { rome } from '../meals/test-fixture.js';
import { recordCounterTopup } from '../payments/office/counter-topup.js';
import { officeFixture, type OfficeFixture } from '../payments/office/test-helpers.js';
import { recordAudit } from '../audit/log.js';
import { dashboardOf } from './month.js';
import { noNotices } from '../payments/credit.js';

let o: OfficeFixture;

beforeEach(async () => {
	o = await officeFixture();
	const evening = fixedClock(rome('2026-11-04', '18:00:00', false));
	for (const day of ['2026-11-02', '2026-11-03', '2026-11-04']) {
		closeDay(o.db, evening, o.mazze, day);
		closeDay(o.db, evening, o.chiusi, day);
	}
});

describe('cruscotto', () => {
	it('counts meals per day and school, top-ups per channel, guardians and balances, for the Comune alone', () => {
		o.clock.set(rome('2026-11-04', '11:00:00', false));
		recordCounterTopup(o.db, o.clock, o.scope, 'Europe/Rome', o.actor, { consumerId: o.luca.id, serviceGroupId: o.refezione, amountCents: 5000, method: 'contanti', receiptNumber: 'S-1' }, noNotices);
		recordAudit(o.db, o.clock, { tenantId: o.mazze.id, actorUserId: o.maria.id, action: 'session.login', entity: 'user', entityId: o.maria.id });
		const d = dashboardOf(o.db, o.clock, o.scope, 'Europe/Rome', '2026-11');
		expect(d.days).toHaveLength(30);
		const bySchool = Object.fromEntries(d.schools.map((s) => [s.name, s.meals.slice(0, 5)]));
		expect(bySchool).toEqual({ [o.school(o.mazze.id, 'infanzia').name]: [0, 1, 1, 1, 0], [o.school(o.mazze.id, 'primaria').name]: [0, 2, 2, 2, 0] });
		expect(d.topups.find((t) => t.channel === 'sportello')).toEqual({ channel: 'sportello', count: 1, cents: 5000 });
		expect(d.topups.filter((t) => t.channel !== 'sportello').every((t) => t.count === 0)).toBe(true);
		expect(d.guardians).toEqual({ registered: 1, linked: 1, activeLast30Days: 1 });
		// Luca 50 € - 3 × 4,20; Sofia 3 × 4,20 and Anna 3 × 2,50 in debt
		expect(d.balances).toEqual({ positiveCents: 5000 - 1260, positiveAccounts: 1, negativeCents: -1260 - 750, negativeAccounts: 2 });
		expect(dashboardOf(o.db, o.clock, o.scope, 'Europe/Rome', '2026-10')).toMatchObject({ schools: [], topups: expect.arrayContaining([{ channel: 'sportello', count: 0, cents: 0 }]) });
		const chiusi = dashboardOf(o.db, o.clock, o.chiusiScope, 'Europe/Rome', '2026-11');
		expect(chiusi.schools.map((s) => s.total)).toEqual([3]);
		expect(chiusi.topups.every((t) => t.count === 0)).toBe(true);
		expect(chiusi.balances).toMatchObject({ positiveAccounts: 0, negativeAccounts: 1 });
	});
});
