import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { zonedInstant } from '../calendar/zoned-time.js';
import { addDays, eachDay, monthRange, type IsoDate, type IsoMonth } from '../../src/lib/shared/dates.js';
import type { PaymentChannel } from '../db/schema.js';

export interface Dashboard {
	month: IsoMonth;
	days: IsoDate[];
	/** one series per school: meals served (not cancelled) on each day of `days` */
	schools: { id: number; name: string; meals: number[]; total: number }[];
	topups: { channel: PaymentChannel; count: number; cents: number }[];
	guardians: { registered: number; linked: number; activeLast30Days: number };
	balances: { positiveCents: number; positiveAccounts: number; negativeCents: number; negativeAccounts: number };
}

const queries = preparedFor((db) => ({
	// meals_tenant_date (tenant, date, school) holds all three: an index range, no table read for the grouping keys
	meals: db.$client.prepare(`
		SELECT m.date, m.school_id AS schoolId, count(*) AS n FROM meals m
		WHERE m.tenant_id = @tenant AND m.date BETWEEN @from AND @to AND m.cancelled_at IS NULL
		GROUP BY m.date, m.school_id`),
	schools: db.$client.prepare('SELECT id, name FROM schools WHERE tenant_id = @tenant ORDER BY name, id'),
	// credited top-ups by the day they were paid on the Comune's clock
	topups: db.$client.prepare(`
		SELECT channel, count(*) AS count, sum(amount_cents) AS cents FROM payments
		WHERE tenant_id = @tenant AND transaction_id IS NOT NULL AND paid_at >= @start AND paid_at < @end
		GROUP BY channel`),
	guardians: db.$client.prepare(`
		SELECT count(*) AS registered,
			coalesce(sum(EXISTS (SELECT 1 FROM guardian_links l WHERE l.tenant_id = @tenant AND l.user_id = u.id)
				OR (u.fiscal_code_verified_at IS NOT NULL AND EXISTS (SELECT 1 FROM enrolments e WHERE e.tenant_id = @tenant AND e.applicant_fiscal_code = u.codice_fiscale))), 0) AS linked,
			coalesce(sum(EXISTS (SELECT 1 FROM audit_log a WHERE a.tenant_id = @tenant AND a.at >= @since AND a.action = 'session.login' AND a.actor_user_id = u.id)), 0) AS activeLast30Days
		FROM users u JOIN memberships m ON m.user_id = u.id AND m.role = 'guardian' AND m.tenant_id = @tenant
		WHERE u.tenant_id = @tenant`),
	balances: db.$client.prepare(`
		SELECT coalesce(sum(max(balance_cents, 0)), 0) AS positiveCents, coalesce(sum(balance_cents > 0), 0) AS positiveAccounts,
			coalesce(sum(min(balance_cents, 0)), 0) AS negativeCents, coalesce(sum(balance_cents < 0), 0) AS negativeAccounts
		FROM ledger_accounts WHERE tenant_id = @tenant AND kind = 'prepaid'`)
}));

const CHANNELS: PaymentChannel[] = ['pagopa_online', 'pagopa_avviso', 'lis', 'sportello'];

/** The ufficio's cruscotto for a month: meals per day and school, top-ups per channel; guardians and balances as of now. */
export function dashboardOf(db: Db, clock: Clock, scope: TenantScope, timeZone: string, month: IsoMonth): Dashboard {
	const q = queries(db);
	const tenant = scope.tenantId;
	const { from, to } = monthRange(month);
	const days = [...eachDay(from, to)];
	const counts = new Map<string, number>();
	for (const r of q.meals.all({ tenant, from, to }) as { date: string; schoolId: number; n: number }[]) counts.set(`${r.schoolId}|${r.date}`, r.n);
	const schools = (q.schools.all({ tenant }) as { id: number; name: string }[]).map((s) => {
		const meals = days.map((d) => counts.get(`${s.id}|${d}`) ?? 0);
		return { ...s, meals, total: meals.reduce((a, b) => a + b, 0) };
	});
	const start = zonedInstant(from, '00:00', timeZone).getTime();
	const end = zonedInstant(addDays(to, 1), '00:00', timeZone).getTime();
	const paid = new Map((q.topups.all({ tenant, start, end }) as { channel: PaymentChannel; count: number; cents: number }[]).map((r) => [r.channel, r]));
	const since = clock.now().getTime() - 30 * 86_400_000;
	return {
		month,
		days,
		// A school with no meal at all that month (archived, or not yet open) would only add an empty column.
		schools: schools.filter((s) => s.total > 0),
		topups: CHANNELS.map((channel) => ({ channel, count: paid.get(channel)?.count ?? 0, cents: paid.get(channel)?.cents ?? 0 })),
		guardians: q.guardians.get({ tenant, since }) as Dashboard['guardians'],
		balances: q.balances.get({ tenant }) as Dashboard['balances']
	};
}
