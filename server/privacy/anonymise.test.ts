import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { Db } from '../db/client.js';
import { checkLedger } from '../ledger/accounts.js';
import { refundBalance } from '../payments/office/adjustments.js';
import { seedDemoHistory } from '../seed/demo-history.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { enqueueMail } from '../mail/outbox.js';
import { anonymiseFamily } from './anonymise.js';
import { anonymisableFrom } from './family.js';

const clock = fixedClock(NOV_2026);
const ledger = (db: Db) => ({
	postings: rows(db, 'SELECT * FROM ledger_postings ORDER BY id'),
	transactions: rows(db, 'SELECT * FROM ledger_transactions ORDER BY id'),
	balances: rows(db, 'SELECT id, balance_cents FROM ledger_accounts ORDER BY id')
});

/** Maria's family with some history, its enrolments ended on `lastDay`, its balances paid back when asked. */
async function family({ lastDay = '2024-06-10', refund = true } = {}) {
	const db = await seededDb();
	seedDemoHistory(db, new Date(NOV_2026));
	const f = fixtureOf(db);
	const actor = { userId: f.operator.id, name: 'Ufficio', ip: '10.0.0.7' };
	if (refund) {
		for (const a of rows(db, "SELECT consumer_id AS c, service_group_id AS g, balance_cents AS b FROM ledger_accounts WHERE kind = 'prepaid' AND consumer_id IN (?, ?) AND balance_cents > 0", f.luca.id, f.sofia.id)) {
			const r = refundBalance(db, clock, f.scope, 'Europe/Rome', actor, { requestId: randomUUID(), consumerId: a.c as number, serviceGroupId: a.g as number, amountCents: a.b as number, reason: 'Fine del servizio' });
			expect(r.status).toBe('posted');
		}
	}
	// The past the fixture cannot seed: the children left the service.
	db.$client.prepare("UPDATE enrolments SET status = 'cessata', to_date = ? WHERE consumer_id IN (?, ?)").run(lastDay, f.luca.id, f.sofia.id);
	return { ...f, actor };
}

const anonymise = (f: Awaited<ReturnType<typeof family>>, consumerId = f.luca.id, scope = f.scope) => anonymiseFamily(f.db, clock, scope, 'Europe/Rome', f.actor, consumerId);

describe('anonymiseFamily', () => {
	it('replaces the names, codes, contacts and diets of the children and the guardian, and closes her access', async () => {
		const f = await family();
		enqueueMail(f.db, clock, 'saldo_basso', f.scope.tenantId, [{ to: 'Maria.Rossi@example.com', subject: 'Saldo di Luca', text: 'Luca Rossi' }, { to: 'altro@example.com', subject: 'Saldo di Anna', text: 'Anna' }]);
		expect(anonymise(f)).toEqual({ status: 'anonymised', consumers: 2, guardians: 1 });
		expect(rows(f.db, 'SELECT recipient FROM mail_outbox')).toEqual([{ recipient: 'altro@example.com' }]);
		expect(rows(f.db, 'SELECT given_name, family_name, codice_fiscale, birth_date, diet_label FROM consumers WHERE id IN (?, ?) ORDER BY id', f.luca.id, f.sofia.id)).toEqual([
			{ given_name: 'Anonimo', family_name: String(f.luca.id), codice_fiscale: `ANONIMO-${f.luca.id}`, birth_date: null, diet_label: null },
			{ given_name: 'Anonimo', family_name: String(f.sofia.id), codice_fiscale: `ANONIMO-${f.sofia.id}`, birth_date: null, diet_label: null }
		]);
		expect(rows(f.db, 'SELECT given_name, email, codice_fiscale, phone, contact_email FROM users WHERE id = ?', f.maria.id)).toEqual([
			{ given_name: 'Anonimo', email: null, codice_fiscale: null, phone: '', contact_email: '' }
		]);
		for (const table of ['sessions', 'password_credentials', 'memberships', 'guardian_links']) {
			expect(rows(f.db, `SELECT count(*) AS n FROM ${table} WHERE user_id = ?`, f.maria.id)[0].n, table).toBe(0);
		}
		expect(rows(f.db, "SELECT count(*) AS n FROM meals WHERE diet_label IS NOT NULL AND consumer_id = ?", f.sofia.id)[0].n).toBe(0);
		expect(rows(f.db, "SELECT count(*) AS n FROM enrolments WHERE applicant_name LIKE '%Rossi%' OR applicant_fiscal_code = 'RSSMRA85C52L219F'")[0].n).toBe(0);
		expect(rows(f.db, "SELECT count(*) AS n FROM payments WHERE payer_name LIKE '%Rossi%' OR description LIKE '%Luca%'")[0].n).toBe(0);
		expect(rows(f.db, 'SELECT given_name FROM consumers WHERE id = ?', f.anna.id)).toEqual([{ given_name: 'Anna' }]);
		expect(rows(f.db, "SELECT actor_user_id, entity_id FROM audit_log WHERE action = 'privacy.anonymise'")).toEqual([{ actor_user_id: f.operator.id, entity_id: String(f.luca.id) }]);
	});

	it('leaves every ledger row, balance and invariant exactly as it was', async () => {
		const f = await family();
		const before = ledger(f.db);
		expect(before.postings.length).toBeGreaterThan(0);
		anonymise(f, f.sofia.id);
		expect(ledger(f.db)).toEqual(before);
		expect(checkLedger(f.db)).toEqual([]);
	});

	it('refuses while an enrolment is active, with nothing changed', async () => {
		const f = await family();
		expect(anonymise(f, f.anna.id)).toMatchObject({ status: 'rejected', code: 'ACTIVE' });
		expect(rows(f.db, 'SELECT given_name FROM consumers WHERE id = ?', f.anna.id)).toEqual([{ given_name: 'Anna' }]);
	});

	it('refuses within the school year after the last enrolment, saying from when it may', async () => {
		const f = await family({ lastDay: '2026-06-10' });
		expect(anonymise(f)).toEqual({ status: 'rejected', code: 'RETENTION', message: expect.stringContaining('dal 01/09/2027') });
		expect(rows(f.db, 'SELECT given_name FROM consumers WHERE id = ?', f.luca.id)).toEqual([{ given_name: 'Luca' }]);
	});

	it('refuses while a balance is not zero', async () => {
		const f = await family({ refund: false });
		expect(anonymise(f)).toMatchObject({ status: 'rejected', code: 'BALANCE' });
	});

	it("refuses another Comune's child and a family already anonymised", async () => {
		const f = await family();
		expect(anonymise(f, f.luca.id, f.chiusiScope)).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
		anonymise(f);
		expect(anonymise(f)).toMatchObject({ status: 'rejected', code: 'ALREADY_ANONYMOUS' });
	});
});

describe('anonymisableFrom', () => {
	it('is the 1st of September after the school year that follows the last enrolment', () => {
		expect(anonymisableFrom('2024-06-10')).toBe('2025-09-01');
		expect(anonymisableFrom('2024-09-20')).toBe('2026-09-01');
	});
});
