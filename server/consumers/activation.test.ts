import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { auditLog, consumers, guardianLinks, users } from '../db/schema.js';
import { tenantScope } from '../db/tenant-scope.js';
import { findUserByEmail, newUserId, registerGuardian, type User } from '../auth/accounts.js';
import { findTenantBySlug } from '../tenants/tenants.js';
import { seedDemo } from '../seed/demo.js';
import { canSeeConsumer, listGuardianConsumers, type Guardian } from './access.js';
import { activateWithCode, generateActivationCode, hashActivationCode, normalizeActivationCode } from './activation.js';

const START = '2026-10-05T08:00:00.000Z';
const ANNA_CODE = 'MZZ7-K4PQ-2RTA';
const TOMMASO_CODE = 'CHV3-WX9N-8HJE';
const GIOVANNI_CF = 'FRRGNN82H15L219L';
const MARIO_BIANCHI_CF = 'BNCMRA79D10C663Z';

function guardianOf(user: User): Guardian {
	return { id: user.id, codiceFiscale: user.codiceFiscale, fiscalCodeVerifiedAt: user.fiscalCodeVerifiedAt };
}

function consumerId(db: Db, childCf: string): number {
	return db.select({ id: consumers.id }).from(consumers).where(eq(consumers.codiceFiscale, childCf)).get()!.id;
}

describe('activation codes', () => {
	it('generates codes in the XXXX-XXXX-XXXX shape without ambiguous characters', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200; i++) {
			const code = generateActivationCode();
			expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
			expect(code).not.toMatch(/[01OIL]/);
			seen.add(code);
		}
		expect(seen.size).toBe(200);
	});

	it('normalizes the ways a code is typed', () => {
		expect(normalizeActivationCode('mzz7k4pq2rta')).toBe(ANNA_CODE);
		expect(normalizeActivationCode(' mzz7 k4pq 2rta ')).toBe(ANNA_CODE);
		expect(normalizeActivationCode('MZZ7–K4PQ–2RTA')).toBe(ANNA_CODE);
		expect(hashActivationCode('mzz7-k4pq-2rta')).toBe(hashActivationCode(ANNA_CODE));
		expect(hashActivationCode('MZZ7-K4PQ-2RTB')).not.toBe(hashActivationCode(ANNA_CODE));
	});
});

describe('activateWithCode and guardian access (demo seed)', () => {
	let db: Db;
	let clock: ReturnType<typeof fixedClock>;
	let mazzeId: number;
	let chiusiId: number;
	let giovanni: User;

	beforeEach(async () => {
		db = openDb(':memory:');
		clock = fixedClock(START);
		await seedDemo(db, clock);
		mazzeId = findTenantBySlug(db, 'mazze')!.id;
		chiusiId = findTenantBySlug(db, 'chiusi-della-verna')!.id;
		const result = await registerGuardian(db, clock, mazzeId, {
			givenName: 'Giovanni',
			familyName: 'Ferrari',
			codiceFiscale: GIOVANNI_CF,
			email: 'giovanni.ferrari@example.com',
			password: 'Pane-Burro-Marmellata-42'
		});
		if (result.status !== 'created') throw new Error(result.status);
		giovanni = result.user;
	});

	function insertUser(tenantId: number, codiceFiscale: string, fiscalCodeVerifiedAt: Date | null): User {
		return db
			.insert(users)
			.values({ id: newUserId(), tenantId, email: `${newUserId()}@example.com`, givenName: 'X', familyName: 'Y', codiceFiscale, fiscalCodeVerifiedAt, createdAt: clock.now() })
			.returning()
			.get();
	}

	it("links the applicant to Anna Ferrari with the printed code", () => {
		const result = activateWithCode(db, clock, tenantScope(mazzeId), giovanni, ANNA_CODE, '192.0.2.1');
		expect(result).toEqual({ status: 'linked', consumerId: consumerId(db, 'FRRNNA18T45E379T'), givenName: 'Anna', alreadyLinked: false });
		const links = db.select().from(guardianLinks).where(eq(guardianLinks.userId, giovanni.id)).all();
		expect(links).toHaveLength(1);
		expect(links[0]).toMatchObject({ tenantId: mazzeId, consumerId: consumerId(db, 'FRRNNA18T45E379T'), linkedBy: 'activation_code' });
		const audit = db.select().from(auditLog).where(eq(auditLog.action, 'guardian.link')).all();
		expect(audit).toHaveLength(1);
		expect(audit[0]).toMatchObject({ tenantId: mazzeId, actorUserId: giovanni.id, ip: '192.0.2.1' });
	});

	it('accepts the code typed in lower case without dashes', () => {
		const result = activateWithCode(db, clock, tenantScope(mazzeId), giovanni, 'mzz7k4pq2rta');
		expect(result).toMatchObject({ status: 'linked', givenName: 'Anna', alreadyLinked: false });
	});

	it('repeating the activation answers alreadyLinked and adds no second link', () => {
		activateWithCode(db, clock, tenantScope(mazzeId), giovanni, ANNA_CODE);
		const again = activateWithCode(db, clock, tenantScope(mazzeId), giovanni, 'mzz7k4pq2rta');
		expect(again).toMatchObject({ status: 'linked', givenName: 'Anna', alreadyLinked: true });
		expect(db.select().from(guardianLinks).where(eq(guardianLinks.userId, giovanni.id)).all()).toHaveLength(1);
		expect(db.select().from(auditLog).where(eq(auditLog.action, 'guardian.link')).all()).toHaveLength(1);
	});

	it.each(['MZZ7-K4PQ-2RTB', 'AAAA-BBBB-CCCC', 'MZZ7-K4PQ-2RT', '', 'MZZ7-K4PQ-2RTAA'])('a wrong code %j is invalid_code', (code) => {
		expect(activateWithCode(db, clock, tenantScope(mazzeId), giovanni, code)).toEqual({ status: 'invalid_code' });
		expect(db.select().from(guardianLinks).where(eq(guardianLinks.userId, giovanni.id)).all()).toHaveLength(0);
	});

	it('a user whose fiscal code differs is not_applicant', () => {
		const maria = findUserByEmail(db, mazzeId, 'maria.rossi@example.com')!;
		expect(activateWithCode(db, clock, tenantScope(mazzeId), maria, ANNA_CODE)).toEqual({ status: 'not_applicant' });
		const noCf = insertUser(mazzeId, '', null);
		expect(activateWithCode(db, clock, tenantScope(mazzeId), { id: noCf.id, codiceFiscale: null }, ANNA_CODE)).toEqual({ status: 'not_applicant' });
		expect(db.select().from(guardianLinks).where(eq(guardianLinks.userId, maria.id)).all()).toHaveLength(2); // Luca and Sofia from the seed
	});

	it("Chiusi's code used in Mazzè's scope is invalid_code", () => {
		expect(activateWithCode(db, clock, tenantScope(mazzeId), giovanni, TOMMASO_CODE)).toEqual({ status: 'invalid_code' });
		// Even by Tommaso's own applicant: the code belongs to the other tenant.
		const mario = insertUser(mazzeId, MARIO_BIANCHI_CF, null);
		expect(activateWithCode(db, clock, tenantScope(mazzeId), mario, TOMMASO_CODE)).toEqual({ status: 'invalid_code' });
		// In Chiusi's own scope the code is known; there Giovanni is simply not the applicant.
		expect(activateWithCode(db, clock, tenantScope(chiusiId), giovanni, TOMMASO_CODE)).toEqual({ status: 'not_applicant' });
	});

	it('listGuardianConsumers shows exactly the linked child', () => {
		const scope = tenantScope(mazzeId);
		expect(listGuardianConsumers(db, scope, guardianOf(giovanni))).toEqual([]);
		activateWithCode(db, clock, scope, giovanni, ANNA_CODE);
		const list = listGuardianConsumers(db, scope, guardianOf(giovanni));
		expect(list).toHaveLength(1);
		expect(list[0]).toMatchObject({
			id: consumerId(db, 'FRRNNA18T45E379T'),
			givenName: 'Anna',
			familyName: 'Ferrari',
			school: 'Scuola primaria "Gianni Rodari"',
			schoolClass: '1ª A',
			services: [{ name: 'Mensa', group: 'Refezione', status: 'attiva' }]
		});
		expect(listGuardianConsumers(db, scope, guardianOf(giovanni)).map((c) => c.id)).toEqual([consumerId(db, 'FRRNNA18T45E379T')]);
		// The link is Mazzè's: Chiusi's scope shows nothing.
		expect(listGuardianConsumers(db, tenantScope(chiusiId), guardianOf(giovanni))).toEqual([]);
	});

	it('listGuardianConsumers names a service once, though next year’s enrolment sits beside this year’s', () => {
		const scope = tenantScope(mazzeId);
		activateWithCode(db, clock, scope, giovanni, ANNA_CODE);
		const anna = consumerId(db, 'FRRNNA18T45E379T');
		const next = db.$client
			.prepare("INSERT INTO school_years (tenant_id, label, first_day, last_day, created_at) VALUES (?, '2027/28', '2027-09-13', '2028-06-10', 0) RETURNING id")
			.pluck()
			.get(mazzeId);
		const current = db.$client.prepare('SELECT id FROM enrolments WHERE consumer_id = ?').pluck().get(anna);
		db.$client
			.prepare(
				`INSERT INTO enrolments (tenant_id, consumer_id, service_id, school_year_id, tariff_band_id, applicant_fiscal_code, activation_code_hash, status, from_date, created_at)
				 SELECT tenant_id, consumer_id, service_id, ?, tariff_band_id, applicant_fiscal_code, activation_code_hash || '-2027', 'attiva', '2027-09-13', 0 FROM enrolments WHERE id = ?`
			)
			.run(next, current);
		expect(listGuardianConsumers(db, scope, guardianOf(giovanni))[0].services).toEqual([{ name: 'Mensa', group: 'Refezione', status: 'attiva' }]);
		// Suspended this year, enrolled for the next: still one service, active.
		db.$client.prepare("UPDATE enrolments SET status = 'sospesa' WHERE id = ?").run(current);
		expect(listGuardianConsumers(db, scope, guardianOf(giovanni))[0].services).toEqual([{ name: 'Mensa', group: 'Refezione', status: 'attiva' }]);
	});

	it('canSeeConsumer is true for the linked child and false for every other consumer', () => {
		const scope = tenantScope(mazzeId);
		activateWithCode(db, clock, scope, giovanni, ANNA_CODE);
		const g = guardianOf(giovanni);
		expect(canSeeConsumer(db, scope, g, consumerId(db, 'FRRNNA18T45E379T'))).toBe(true);
		for (const other of ['RSSLCU17E04E379I', 'RSSSFO21P60E379I', 'BNCTMS19A01D612D']) {
			expect(canSeeConsumer(db, scope, g, consumerId(db, other)), other).toBe(false);
			expect(canSeeConsumer(db, tenantScope(chiusiId), g, consumerId(db, other)), other).toBe(false);
		}
		expect(canSeeConsumer(db, scope, g, 999_999)).toBe(false);
		// Nor in another tenant's scope.
		expect(canSeeConsumer(db, tenantScope(chiusiId), g, consumerId(db, 'FRRNNA18T45E379T'))).toBe(false);
	});

	it('the seeded Maria sees Luca and Sofia', () => {
		const maria = findUserByEmail(db, mazzeId, 'maria.rossi@example.com')!;
		expect(listGuardianConsumers(db, tenantScope(mazzeId), guardianOf(maria)).map((c) => c.givenName)).toEqual(['Luca', 'Sofia']);
	});

	it('a typed (unverified) applicant fiscal code gives no access without a link', () => {
		const g = guardianOf(giovanni);
		expect(g.fiscalCodeVerifiedAt).toBeNull();
		expect(listGuardianConsumers(db, tenantScope(mazzeId), g)).toEqual([]);
		expect(canSeeConsumer(db, tenantScope(mazzeId), g, consumerId(db, 'FRRNNA18T45E379T'))).toBe(false);
	});

	it('a SPID/CIE-verified applicant fiscal code sees the child without a link, only in that tenant', () => {
		const verified = insertUser(mazzeId, GIOVANNI_CF, clock.now());
		const g = guardianOf(verified);
		const anna = consumerId(db, 'FRRNNA18T45E379T');
		expect(db.select().from(guardianLinks).where(eq(guardianLinks.userId, verified.id)).all()).toHaveLength(0);

		expect(listGuardianConsumers(db, tenantScope(mazzeId), g).map((c) => c.id)).toEqual([anna]);
		expect(canSeeConsumer(db, tenantScope(mazzeId), g, anna)).toBe(true);
		expect(canSeeConsumer(db, tenantScope(mazzeId), g, consumerId(db, 'RSSLCU17E04E379I'))).toBe(false);

		expect(listGuardianConsumers(db, tenantScope(chiusiId), g)).toEqual([]);
		expect(canSeeConsumer(db, tenantScope(chiusiId), g, anna)).toBe(false);
	});

	it("a verified Mario Bianchi sees Tommaso only in Chiusi's scope", () => {
		const mario = insertUser(chiusiId, MARIO_BIANCHI_CF, clock.now());
		const g = guardianOf(mario);
		const tommaso = consumerId(db, 'BNCTMS19A01D612D');
		expect(listGuardianConsumers(db, tenantScope(chiusiId), g).map((c) => c.givenName)).toEqual(['Tommaso']);
		expect(canSeeConsumer(db, tenantScope(chiusiId), g, tommaso)).toBe(true);
		expect(listGuardianConsumers(db, tenantScope(mazzeId), g)).toEqual([]);
		expect(canSeeConsumer(db, tenantScope(mazzeId), g, tommaso)).toBe(false);
	});

	it('a verified user with a fiscal code that applied for nothing sees nothing', () => {
		const stranger = insertUser(mazzeId, 'LVLDAA85T50G702B', clock.now());
		expect(listGuardianConsumers(db, tenantScope(mazzeId), guardianOf(stranger))).toEqual([]);
		expect(listGuardianConsumers(db, tenantScope(mazzeId), guardianOf(stranger))).toEqual([]);
	});
});
