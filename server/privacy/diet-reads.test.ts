import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { recordDietRead } from './diet-reads.js';

const clock = fixedClock(NOV_2026);

describe('recordDietRead', () => {
	it('writes one row per view naming the children whose diet was shown, none when no diet was', async () => {
		const f = fixtureOf(await seededDb());
		const reader = { tenantId: f.mazze.id, userId: f.operator.id, ip: '10.0.0.7' };
		recordDietRead(f.db, clock, reader, { entity: 'consumer', consumers: [{ id: 7, dietLabel: 'senza glutine' }, { id: 8, dietLabel: null }, { id: 9, dietLabel: 'vegetariana' }] });
		recordDietRead(f.db, clock, reader, { entity: 'consumer', consumers: [{ id: 8, dietLabel: null }] });
		recordDietRead(f.db, clock, reader, { entity: 'kitchen_report', date: '2026-11-02', diets: 3 });
		recordDietRead(f.db, clock, reader, { entity: 'kitchen_report', date: '2026-11-03', diets: 0 });
		expect(rows(f.db, "SELECT actor_user_id, entity, entity_id, details FROM audit_log WHERE action = 'diet.read' ORDER BY id")).toEqual([
			{ actor_user_id: f.operator.id, entity: 'consumer', entity_id: '', details: '{"consumerIds":[7,9]}' },
			{ actor_user_id: f.operator.id, entity: 'kitchen_report', entity_id: '2026-11-02', details: '{"diets":3}' }
		]);
	});

	it('the kitchen screen reloading its report leaves one trace per person, day and quarter hour', async () => {
		const f = fixtureOf(await seededDb());
		const screen = fixedClock(NOV_2026);
		const cook = { tenantId: f.mazze.id, userId: f.operator.id, ip: '10.0.0.8' };
		const other = { ...cook, userId: f.infanziaStaff.id };
		for (let minute = 0; minute < 20; minute++) {
			recordDietRead(f.db, screen, cook, { entity: 'kitchen_report', date: '2026-11-02', diets: 2 });
			screen.advance(60_000);
		}
		recordDietRead(f.db, screen, other, { entity: 'kitchen_report', date: '2026-11-02', diets: 2 });
		recordDietRead(f.db, screen, cook, { entity: 'kitchen_report', date: '2026-11-03', diets: 2 });
		const traces = rows(f.db, "SELECT actor_user_id AS who, entity_id AS day FROM audit_log WHERE action = 'diet.read' ORDER BY id");
		expect(traces).toEqual([
			{ who: f.operator.id, day: '2026-11-02' },
			{ who: f.operator.id, day: '2026-11-02' },
			{ who: f.infanziaStaff.id, day: '2026-11-02' },
			{ who: f.operator.id, day: '2026-11-03' }
		]);
	});
});
