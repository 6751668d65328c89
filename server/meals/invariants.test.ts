/*
 * Property-based test of DESIGN.md §4 over the meals domain: random sequences of guardian marks,
 * calendar edits, closures, day closes, operator corrections and clock moves on the demo seed,
 * checked after every step against an independent model (written here, not reusing the code
 * under test) and against the ledger's invariants.
 *
 * FC_SEED=<n> replays a run; FC_RUNS=<n> changes the number of runs (default 100).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { tenantScope } from '../db/tenant-scope.js';
import { addClosure, setSchoolCalendar } from '../calendar/admin.js';
import { checkLedger } from '../ledger/accounts.js';
import { applyMarks, type FirstResult, type MarkActor, type MarkResult } from './marks.js';
import { closeDay, closeDueDays, CLOSE_GRACE_MS } from './day-close.js';
import { correctDay } from './corrections.js';
import { NOV_2026, fixtureOf, rows, seededDb } from './test-fixture.js';

const RUNS = Number(process.env.FC_RUNS ?? 100);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
const DAY_MS = 86_400_000;
/** the model's horizon: all winter time (CET, UTC+1), so cutoffs are plain arithmetic here */
const END = Date.parse('2027-02-20T00:00:00+01:00');

// ——— the model's own calendar arithmetic ———

const day = (ms: number) => new Date(ms + 3_600_000).toISOString().slice(0, 10); // Rome date in CET
const plus = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const weekday = (d: string) => ((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
const cutoff = (d: string) => Date.parse(`${d}T09:30:00+01:00`);
const HOLIDAYS = new Set(['2026-11-01', '2026-12-08', '2026-12-25', '2026-12-26', '2027-01-01', '2027-01-06']);

// ——— commands ———

type Who = 'luca' | 'sofia' | 'anna' | 'tommaso';
type ActorName = 'maria' | 'annaParent' | 'tommasoParent';
type Cmd =
	/** `whose`: 0 picks any consumer (mostly someone else's: FORBIDDEN), otherwise one of the actor's own */
	| { t: 'mark'; actor: ActorName; marks: { whose: number; who: Who; offset: number; kind: 'assenza' | 'pastoInBianco'; value: boolean; mutation: number }[] }
	| { t: 'advance'; ms: number }
	| { t: 'toCutoff'; deltaMs: number }
	| { t: 'close' }
	/** the CLI's `--date`: one day closed by hand, possibly out of order or ahead of its cutoff */
	| { t: 'closeDate'; offset: number }
	| { t: 'calendar'; school: 'infanzia' | 'primaria'; weekdays: number[] }
	| { t: 'closure'; target: 'comune' | 'primaria' | 'infanzia' | '3ª B' | '1ª A'; offset: number; length: number }
	/** `closedPick`: > 0 picks one of the last closed days instead of today + offset */
	| { t: 'correct'; who: Who; offset: number; closedPick: number; assenza: boolean; pastoInBianco: boolean; crossTenant: boolean };

const who = fc.constantFrom<Who>('luca', 'sofia', 'anna', 'tommaso');
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
	{
		weight: 6,
		arbitrary: fc.record({
			t: fc.constant('mark' as const),
			actor: fc.constantFrom<ActorName>('maria', 'maria', 'annaParent', 'tommasoParent'),
			marks: fc.array(
				fc.record({ whose: fc.integer({ min: 0, max: 5 }), who, offset: fc.integer({ min: -1, max: 6 }), kind: fc.constantFrom('assenza' as const, 'pastoInBianco' as const), value: fc.boolean(), mutation: fc.integer({ min: 0, max: 25 }) }),
				{ minLength: 1, maxLength: 4 }
			)
		})
	},
	{ weight: 4, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 1, max: 3 * 3_600_000 }), fc.integer({ min: 3_600_000, max: 3 * DAY_MS })) }) },
	{ weight: 3, arbitrary: fc.record({ t: fc.constant('toCutoff' as const), deltaMs: fc.oneof(fc.constantFrom(-1, 0), fc.integer({ min: -1500, max: 1500 })) }) },
	{ weight: 4, arbitrary: fc.constant({ t: 'close' as const }) },
	{ weight: 1, arbitrary: fc.record({ t: fc.constant('closeDate' as const), offset: fc.integer({ min: -6, max: 2 }) }) },
	{
		weight: 1,
		arbitrary: fc.record({
			t: fc.constant('calendar' as const),
			school: fc.constantFrom('infanzia' as const, 'primaria' as const),
			weekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 })
		})
	},
	{
		weight: 1,
		arbitrary: fc.record({
			t: fc.constant('closure' as const),
			target: fc.constantFrom('comune' as const, 'primaria' as const, 'infanzia' as const, '3ª B' as const, '1ª A' as const),
			offset: fc.integer({ min: -4, max: 10 }),
			length: fc.integer({ min: 0, max: 4 })
		})
	},
	{
		weight: 2,
		arbitrary: fc.record({
			t: fc.constant('correct' as const),
			who,
			offset: fc.integer({ min: -5, max: 1 }),
			closedPick: fc.integer({ min: 0, max: 6 }),
			assenza: fc.boolean(),
			pastoInBianco: fc.boolean(),
			crossTenant: fc.integer({ min: 0, max: 4 }).map((n) => n === 0)
		})
	}
);

// ——— one run ———

/** how often each outcome was reached, printed with FC_STATS=1 to see that the generator reaches them */
const stats: Record<string, number> = {};
const count = (k: string) => (stats[k] = (stats[k] ?? 0) + 1);

async function run(commands: Cmd[]): Promise<void> {
	const db: Db = await seededDb();
	try {
		await steps(db, commands);
	} finally {
		db.$client.close();
	}
}

async function steps(db: Db, commands: Cmd[]): Promise<void> {
	const f = fixtureOf(db);
	const clock = fixedClock(NOV_2026);
	const consumers = {
		luca: { c: f.luca, tenant: f.mazze, school: f.school(f.mazze.id, 'primaria').id, price: 420 },
		sofia: { c: f.sofia, tenant: f.mazze, school: f.school(f.mazze.id, 'infanzia').id, price: 420 },
		anna: { c: f.anna, tenant: f.mazze, school: f.school(f.mazze.id, 'primaria').id, price: 250 },
		tommaso: { c: f.tommaso, tenant: f.chiusi, school: f.school(f.chiusi.id, 'primaria').id, price: 520 }
	};
	const all = Object.values(consumers);
	const byId = new Map(all.map((x) => [x.c.id, x]));
	const actors: Record<ActorName, MarkActor & { tenantId: number }> = {
		maria: { ...f.guardian([f.luca.id, f.sofia.id]), tenantId: f.mazze.id },
		annaParent: { ...f.guardian([f.anna.id], 'guardian-anna'), tenantId: f.mazze.id },
		tommasoParent: { ...f.guardian([f.tommaso.id], 'guardian-tommaso'), tenantId: f.chiusi.id }
	};
	const year = f.year(f.mazze.id);

	// the model
	const versions: { tenantId: number; schoolId: number; from: string; weekdays: number[] }[] = [];
	const closures: { tenantId: number; schoolId: number | null; classId: number | null; from: string; to: string }[] = [
		{ tenantId: f.mazze.id, schoolId: null, classId: null, from: '2026-12-23', to: '2027-01-06' },
		{ tenantId: f.chiusi.id, schoolId: null, classId: null, from: '2026-12-23', to: '2027-01-06' }
	];
	const marks = new Map<string, { assenza: boolean; pastoInBianco: boolean }>(); // consumerId|date
	const meals = new Map<string, 'normale' | 'bianco'>(); // consumerId|date, active meals
	const firstAnswers = new Map<string, FirstResult>(); // actor|mutationId
	const lastClosed = new Map<number, string | null>([
		[f.mazze.id, null],
		[f.chiusi.id, null]
	]);
	const joined = '2026-11-02';
	const log: string[] = [];

	const service = (x: (typeof all)[number], d: string): boolean => {
		if (HOLIDAYS.has(d) || d < year.firstDay || d > year.lastDay) return false;
		const v = versions.filter((v) => v.tenantId === x.tenant.id && v.schoolId === x.school && v.from <= d).at(-1);
		if (!(v?.weekdays ?? [1, 2, 3, 4, 5]).includes(weekday(d))) return false;
		return !closures.some((c) => c.tenantId === x.tenant.id && c.from <= d && d <= c.to && (c.schoolId === null || c.schoolId === x.school) && (c.classId === null || c.classId === x.c.schoolClassId));
	};
	const closedDays = new Set<string>(); // tenantId|date
	const isClosed = (tenantId: number, d: string) => closedDays.has(`${tenantId}|${d}`);
	const closeModelDay = (tenantId: number, d: string) => {
		for (const x of all.filter((x) => x.tenant.id === tenantId)) {
			const mark = marks.get(`${x.c.id}|${d}`);
			if (service(x, d) && !mark?.assenza) meals.set(`${x.c.id}|${d}`, mark?.pastoInBianco ? 'bianco' : 'normale');
		}
		closedDays.add(`${tenantId}|${d}`);
	};
	const today = () => day(clock.now().getTime());
	const firstOpen = (tenantId: number) => {
		const now = clock.now().getTime();
		let d = now < cutoff(today()) ? today() : plus(today(), 1);
		const last = lastClosed.get(tenantId);
		if (last && last >= d) d = plus(last, 1);
		return d;
	};
	const setMark = (consumerId: number, d: string, next: { assenza: boolean; pastoInBianco: boolean }) => {
		if (next.assenza || next.pastoInBianco) marks.set(`${consumerId}|${d}`, next);
		else marks.delete(`${consumerId}|${d}`);
	};
	const dayMarks = () => new Map(rows(db, 'SELECT consumer_id, date, assenza, pasto_in_bianco FROM day_marks').map((r) => [`${r.consumer_id}|${r.date}`, { assenza: r.assenza === 1, pastoInBianco: r.pasto_in_bianco === 1 }]));

	function checkInvariants(step: string) {
		const at = `${log.join('\n')}\nafter ${step}`;
		// §4 ledger: every transaction sums to zero (independent query and checkLedger), no double meal
		expect(rows(db, 'SELECT transaction_id, sum(amount_cents) AS s FROM ledger_postings GROUP BY transaction_id HAVING s <> 0'), at).toEqual([]);
		expect(checkLedger(db), at).toEqual([]);
		expect(rows(db, 'SELECT consumer_id, service_id, date, count(*) AS n FROM meals WHERE cancelled_at IS NULL GROUP BY 1, 2, 3 HAVING n > 1'), at).toEqual([]);
		// every prepaid balance = − its active meals; the Comune's revenue = + its active meals
		for (const x of all) {
			const balance = rows(db, "SELECT coalesce(sum(p.amount_cents), 0) AS b FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.kind = 'prepaid' AND a.consumer_id = ?", x.c.id)[0].b;
			const eaten = [...meals.keys()].filter((k) => k.startsWith(`${x.c.id}|`)).length;
			expect(balance, `${at}\nbalance of ${x.c.givenName}`).toBe(0 - eaten * x.price);
		}
		for (const t of [f.mazze, f.chiusi]) {
			const revenue = rows(db, "SELECT coalesce(sum(p.amount_cents), 0) AS b FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.kind = 'meal_revenue' AND a.tenant_id = ?", t.id)[0].b;
			const expected = [...meals.keys()].reduce((s, k) => s + (byId.get(Number(k.split('|')[0]))!.tenant.id === t.id ? byId.get(Number(k.split('|')[0]))!.price : 0), 0);
			expect(revenue, `${at}\nrevenue of ${t.slug}`).toBe(expected);
		}
		// the meals are exactly the model's (closes and corrections)
		const actual = new Map(rows(db, 'SELECT consumer_id, date, kind FROM meals WHERE cancelled_at IS NULL').map((r) => [`${r.consumer_id}|${r.date}`, r.kind]));
		expect(Object.fromEntries([...actual].sort()), `${at}\nmeals`).toEqual(Object.fromEntries([...meals].sort()));
		// the day state is exactly the model's: applied marks are never lost, refused ones never land
		expect(Object.fromEntries([...dayMarks()].sort()), `${at}\nday_marks`).toEqual(Object.fromEntries([...marks].sort()));
		// no row of one Comune names another Comune's consumer (refused mark events aside, see below)
		for (const table of ['day_marks', 'meals', 'ledger_accounts', 'enrolments', 'guardian_links']) {
			expect(rows(db, `SELECT x.rowid FROM ${table} x JOIN consumers c ON c.id = x.consumer_id WHERE c.tenant_id <> x.tenant_id`), `${at}\n${table}`).toEqual([]);
		}
		expect(rows(db, "SELECT x.id FROM mark_events x JOIN consumers c ON c.id = x.consumer_id WHERE c.tenant_id <> x.tenant_id AND x.outcome = 'applied'"), at).toEqual([]);
		expect(rows(db, 'SELECT p.id FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.tenant_id <> p.tenant_id'), at).toEqual([]);
	}

	for (const [i, c] of commands.entries()) {
		const now = clock.now().getTime();
		const step = `step ${i} at ${clock.now().toISOString()}: ${JSON.stringify(c)}`;
		log.push(step);
		switch (c.t) {
			case 'advance':
			case 'toCutoff': {
				const next = c.t === 'advance' ? now + c.ms : Math.max(now, cutoff(today()) + c.deltaMs);
				clock.set(new Date(Math.min(next, END)));
				break;
			}
			case 'mark': {
				const actor = actors[c.actor];
				const tenant = actor.tenantId === f.mazze.id ? f.mazze : f.chiusi;
				const own = all.filter((x) => actor.mayMark(x.c.id));
				const batch = c.marks.map((m) => ({ mutationId: `mut-${m.mutation}`, consumerId: m.whose === 0 ? consumers[m.who].c.id : own[m.whose % own.length].c.id, date: plus(today(), m.offset), kind: m.kind, value: m.value }));
				const before = dayMarks();
				const results: MarkResult[] = applyMarks(db, clock, tenantScope(tenant.id), tenant, actor, batch);
				expect(results.map((r) => r.mutationId), step).toEqual(batch.map((m) => m.mutationId));
				for (const [j, m] of batch.entries()) {
					const r = results[j];
					const key = `${actor.userId}|${m.mutationId}`;
					const first = firstAnswers.get(key);
					if (first) {
						expect(r, `${step}\nreplay`).toEqual({ mutationId: m.mutationId, status: 'duplicate', first });
						count('mark:duplicate');
						continue;
					}
					const x = byId.get(m.consumerId)!;
					const expected =
						!actor.mayMark(m.consumerId) || x.tenant.id !== tenant.id
							? 'FORBIDDEN'
							: !service(x, m.date)
								? 'NOT_A_SERVICE_DAY'
								: isClosed(tenant.id, m.date) || now >= cutoff(m.date)
									? 'CUTOFF_PASSED'
									: 'applied';
					const { mutationId: _, ...answer } = r;
					count(`mark:${expected}`);
					expect(r.status === 'rejected' ? r.code : r.status, `${step}\nmark ${j} (${x.c.givenName} ${m.date})`).toBe(expected);
					if (r.status === 'applied') {
						expect(r.receipt.receivedAt).toBe(new Date(now).toISOString());
						const current = marks.get(`${m.consumerId}|${m.date}`) ?? { assenza: false, pastoInBianco: false };
						setMark(m.consumerId, m.date, { ...current, [m.kind]: m.value });
					}
					// Someone else's child: nothing is written into that child's history, so nothing to replay.
					if (expected === 'FORBIDDEN') {
						// (unless a later mark of the same batch reuses the id and is recorded under it)
						const reused = batch.some((other, k) => k > j && other.mutationId === m.mutationId);
						if (!reused) expect(rows(db, 'SELECT 1 FROM mark_events WHERE actor_user_id = ? AND mutation_id = ?', actor.userId, m.mutationId), step).toEqual([]);
						continue;
					}
					firstAnswers.set(key, answer as FirstResult);
					// recorded once, with the server's receive time
					expect(rows(db, 'SELECT received_at, outcome FROM mark_events WHERE actor_user_id = ? AND mutation_id = ?', actor.userId, m.mutationId), step).toEqual([
						{ received_at: now, outcome: r.status }
					]);
				}
				// a mark at/after the cutoff (or on a closed day) never changed its day
				const after = dayMarks();
				for (const m of batch) {
					const x = byId.get(m.consumerId)!;
					if (now >= cutoff(m.date) || isClosed(x.tenant.id, m.date)) {
						expect(after.get(`${m.consumerId}|${m.date}`), `${step}\nlate mark changed ${m.date}`).toEqual(before.get(`${m.consumerId}|${m.date}`));
					}
				}
				break;
			}
			case 'closeDate': {
				const tenant = f.mazze;
				const d = plus(today(), c.offset);
				const r = closeDay(db, clock, tenant, d);
				if (isClosed(tenant.id, d)) {
					expect(r, step).toEqual({ status: 'already_closed', date: d });
				} else {
					expect(r.status, step).toBe('closed');
					closeModelDay(tenant.id, d);
					count(`closeDate:${d < (lastClosed.get(tenant.id) ?? '') ? 'out-of-order' : now < cutoff(d) ? 'before-cutoff' : 'in-order'}`);
					if (d > (lastClosed.get(tenant.id) ?? '')) lastClosed.set(tenant.id, d);
				}
				break;
			}
			case 'close': {
				for (const tenant of [f.mazze, f.chiusi]) {
					// every open day since the Comune joined whose cutoff has passed, gaps included
					const due: string[] = [];
					for (let d = joined; d <= today(); d = plus(d, 1)) if (!isClosed(tenant.id, d) && (d < today() || now >= cutoff(d) + CLOSE_GRACE_MS)) due.push(d);
					const results = closeDueDays(db, clock, tenant);
					expect(results.map((r) => `${r.date}:${r.status}`), step).toEqual(due.map((d) => `${d}:closed`));
					count(`close:${due.length > 1 ? 'catch-up' : due.length}`);
					for (const d of due) {
						closeModelDay(tenant.id, d);
						if (d > (lastClosed.get(tenant.id) ?? '')) lastClosed.set(tenant.id, d);
					}
					// a second run finds nothing to do
					expect(closeDueDays(db, clock, tenant), step).toEqual([]);
				}
				break;
			}
			case 'calendar': {
				const schoolId = f.school(f.mazze.id, c.school).id;
				const expectedFrom = firstOpen(f.mazze.id);
				const r = setSchoolCalendar(db, clock, f.scope, f.mazze, f.operator.id, { schoolId, schoolYearId: year.id, weekdays: c.weekdays, firstDay: year.firstDay, lastDay: year.lastDay });
				expect(r, step).toMatchObject({ status: 'saved', effectiveFrom: expectedFrom });
				versions.push({ tenantId: f.mazze.id, schoolId, from: expectedFrom, weekdays: c.weekdays });
				break;
			}
			case 'closure': {
				const from = plus(today(), c.offset);
				const to = plus(from, c.length);
				const input =
					c.target === 'comune'
						? { schoolId: null, schoolClassId: null }
						: c.target === 'primaria' || c.target === 'infanzia'
							? { schoolId: f.school(f.mazze.id, c.target).id, schoolClassId: null }
							: { schoolId: null, schoolClassId: f.cls(f.mazze.id, c.target).id };
				const open = firstOpen(f.mazze.id);
				const r = addClosure(db, clock, f.scope, f.mazze, f.operator.id, { ...input, fromDate: from, toDate: to, reason: 'Chiusura di prova' });
				count(`closure:${to < open ? 'rejected' : from < open ? 'clipped' : 'saved'}`);
				if (to < open) {
					expect(r.status, step).toBe('rejected');
				} else {
					const effective = from < open ? open : from;
					expect(r, step).toMatchObject({ status: 'saved', effectiveFrom: effective });
					const classId = input.schoolClassId;
					closures.push({ tenantId: f.mazze.id, schoolId: classId ? consumers.luca.school /* both classes are primaria */ : input.schoolId, classId, from: effective, to });
				}
				break;
			}
			case 'correct': {
				const x = consumers[c.who];
				const tenant = c.crossTenant ? (x.tenant.id === f.mazze.id ? f.chiusi : f.mazze) : x.tenant;
				const closedOfTenant = [...closedDays].filter((k) => k.startsWith(`${x.tenant.id}|`)).map((k) => k.split('|')[1]).filter((d) => service(x, d));
				const d = c.closedPick > 0 && closedOfTenant.length ? closedOfTenant[closedOfTenant.length - 1 - ((c.closedPick - 1) % Math.min(closedOfTenant.length, 4))] : plus(today(), c.offset);
				const before = { meals: rows(db, 'SELECT * FROM meals'), postings: rows(db, 'SELECT count(*) AS n FROM ledger_postings') };
				const r = correctDay(db, clock, tenantScope(tenant.id), tenant, { userId: `operator-${tenant.id}`, schoolIds: null }, { consumerId: x.c.id, date: d, assenza: c.assenza, pastoInBianco: c.pastoInBianco, reason: 'Correzione di prova' });
				if (tenant.id !== x.tenant.id) {
					expect(r, step).toMatchObject({ status: 'rejected', code: 'FORBIDDEN' });
				} else if (!service(x, d)) {
					expect(r, step).toMatchObject({ status: 'rejected', code: 'NOT_A_SERVICE_DAY' });
				} else {
					expect(r.status, step).toBe('corrected');
					count(`correct:${isClosed(tenant.id, d) ? (r as { ledger: string }).ledger : 'before-close'}`);
					setMark(x.c.id, d, { assenza: c.assenza, pastoInBianco: c.pastoInBianco });
					if (isClosed(tenant.id, d)) {
						if (c.assenza) meals.delete(`${x.c.id}|${d}`);
						else meals.set(`${x.c.id}|${d}`, c.pastoInBianco ? 'bianco' : 'normale');
					}
					break;
				}
				// a refused correction writes nothing
				expect({ meals: rows(db, 'SELECT * FROM meals'), postings: rows(db, 'SELECT count(*) AS n FROM ledger_postings') }, step).toEqual(before);
				break;
			}
		}
		checkInvariants(step);
	}
}

it(
	'random marks, calendar edits, closes, corrections and clock moves keep the invariants of §4',
	async () => {
		const started = Date.now();
		await fc.assert(
			fc.asyncProperty(fc.array(cmd, { minLength: 5, maxLength: 60 }), (commands) => run(commands)),
			{ numRuns: RUNS, seed: SEED }
		);
		if (process.env.FC_STATS) console.log(stats, `${Date.now() - started} ms`);
	},
	60_000
);
