import { beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { prepaidAccount, systemAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post.js';
import { closeDay } from '../meals/day-close.js';
import { rome, rows } from '../meals/test-fixture.js';
import { officeFixture, type OfficeFixture } from '../payments/office/test-helpers.js';
import { debtorsCsv } from './export-csv.js';
import { debtSince, findDebtors, listDebtors } from './list.js';
import { previewReminders, sendReminders, setReminderTemplate, type ReminderSelection } from './reminders.js';
import { DEFAULT_REMINDER_TEMPLATE, renderTemplate, templateProblem, type ReminderValues } from '../../src/lib/shared/reminder-template.js';

const TODAY = '2026-11-09';
const WEEK = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'];
let o: OfficeFixture;
let n = 0;

/** A credit (or, negative, a debit) on a day, through the ledger's own postTransaction. */
function post(consumerId: number, cents: number, valueDate: string) {
	const at = new Date(`${valueDate}T10:00:00Z`);
	const tenantId = o.mazze.id;
	o.db.transaction(() =>
		postTransaction(o.db, {
			tenantId,
			kind: 'test',
			externalId: `test-${++n}`,
			description: 'prova',
			createdBy: null,
			at,
			postings: [
				{ accountId: prepaidAccount(o.db, tenantId, consumerId, o.refezione, at), amountCents: cents, valueDate, description: 'prova' },
				{ accountId: systemAccount(o.db, tenantId, 'cash', at), amountCents: -cents, valueDate, description: 'prova' }
			]
		})
	);
}

const selection: ReminderSelection = { accountIds: null, schoolId: null, minDebtCents: 0 };
const args = (requestId: string, sel = selection) => ({ tenant: o.tenant('mazze'), origin: 'https://mensa.example', requestId, selection: sel, today: TODAY });

beforeEach(async () => {
	o = await officeFixture();
	// A week of meals nobody paid for: Luca and Sofia 4,20 € a day, Anna 2,50 €, Tommaso (Chiusi) 5,20 €.
	const clock = fixedClock(rome('2026-11-06', '18:00:00', false));
	for (const day of WEEK) {
		closeDay(o.db, clock, o.mazze, day);
		closeDay(o.db, clock, o.chiusi, day);
	}
});

describe('days in debt', () => {
	it('is the day the running balance last went below zero, walking back from today', () => {
		const newestFirst = (...p: [string, number][]) => p.map(([valueDate, amountCents]) => ({ valueDate, amountCents }));
		// +10 on 1/11, three meals of 6 €: 4 → -2 (on 6/11) → -8
		expect(debtSince(-800, newestFirst(['2026-11-09', -600], ['2026-11-06', -600], ['2026-11-05', -600], ['2026-11-01', 1000]))).toBe('2026-11-06');
		// negative, topped up above zero, negative again: the second time counts
		expect(debtSince(-100, newestFirst(['2026-11-20', -600], ['2026-11-10', 1000], ['2026-11-05', -500]))).toBe('2026-11-20');
		// negative from the very first posting (an opening balance)
		expect(debtSince(-300, newestFirst(['2026-10-01', -300]))).toBe('2026-10-01');
		// back to exactly zero, then below: from that day
		expect(debtSince(-50, newestFirst(['2026-11-03', -50], ['2026-11-02', 300], ['2026-11-01', -300]))).toBe('2026-11-03');
		expect(debtSince(0, [])).toBeNull();
	});

	it('lists every negative balance with school, class, amount, days and applicant; the other Comune sees none of it', () => {
		post(o.luca.id, 1000, '2026-11-01'); // 10 € - 4,20 × 5: negative from Wednesday 4/11
		const debtors = findDebtors(o.db, o.scope, { schoolId: null, minDebtCents: 0 }, TODAY);
		const byName = Object.fromEntries(debtors.map((d) => [d.givenName, d]));
		expect(Object.keys(byName).sort()).toEqual(['Anna', 'Luca', 'Sofia']);
		expect(byName.Luca).toMatchObject({ balanceCents: -1100, since: '2026-11-04', daysInDebt: 5, className: '3ª B', groupName: 'Refezione', applicantFiscalCode: 'RSSMRA85C52L219F', applicantName: 'Maria Rossi', remindersSent: 0 });
		expect(byName.Anna).toMatchObject({ balanceCents: -1250, since: '2026-11-02', daysInDebt: 7, applicantFiscalCode: 'FRRGNN82H15L219L' });
		expect(byName.Sofia.schoolName).toBe(o.school(o.mazze.id, 'infanzia').name);
		expect(findDebtors(o.db, o.chiusiScope, { schoolId: null, minDebtCents: 0 }, TODAY).map((d) => d.givenName)).toEqual(['Tommaso']);
	});

	it('filters by school and minimum debt, sorts and pages on the server', () => {
		const infanzia = o.school(o.mazze.id, 'infanzia').id;
		const q = { page: 1, sort: 'debt' as const, dir: 'desc' as const, schoolId: null, minDebtCents: 0 };
		expect(listDebtors(o.db, o.scope, { ...q, schoolId: infanzia }, TODAY).rows.map((d) => d.givenName)).toEqual(['Sofia']);
		expect(listDebtors(o.db, o.scope, { ...q, minDebtCents: 1500 }, TODAY).rows.map((d) => d.givenName)).toEqual(['Luca', 'Sofia']);
		const all = listDebtors(o.db, o.scope, q, TODAY);
		expect(all).toMatchObject({ total: 3, page: 1, pages: 1, totalDebtCents: 2100 + 2100 + 1250 });
		expect(all.rows.map((d) => d.givenName)).toEqual(['Luca', 'Sofia', 'Anna']);
		expect(listDebtors(o.db, o.scope, { ...q, sort: 'name', dir: 'asc' }, TODAY).rows.map((d) => d.givenName)).toEqual(['Anna', 'Luca', 'Sofia']);
		expect(listDebtors(o.db, o.scope, { ...q, page: 9 }, TODAY).page).toBe(1);
	});
});

describe('sollecito template', () => {
	const values: ReminderValues = { nome_genitore: 'Maria', nome_figlio: 'Luca {importo}', gruppo: 'Refezione', importo: '12,50 €', giorni: '7', dal: '02/11/2026', comune: 'Mazzè', contatti: 'Ufficio scuola', link_ricarica: 'https://x/ricarica' };

	it('fills the placeholders in one pass; {{ and }} write braces; a value is never expanded again', () => {
		expect(renderTemplate('Ciao {nome_genitore}: {nome_figlio} deve {importo} {{non un segnaposto}}', values)).toBe('Ciao Maria: Luca {importo} deve 12,50 € {non un segnaposto}');
		expect(renderTemplate(DEFAULT_REMINDER_TEMPLATE, { ...values, nome_figlio: 'Luca Rossi' })).not.toMatch(/\{[a-z_]+\}/);
	});

	it('refuses unknown placeholders and lone braces, names of the object prototype included', () => {
		expect(templateProblem(DEFAULT_REMINDER_TEMPLATE)).toBeNull();
		expect(templateProblem('Saldo {saldo}')).toMatch(/^Segnaposto sconosciuto: \{saldo\}/);
		expect(templateProblem('Saldo {constructor}')).toMatch(/^Segnaposto sconosciuto/);
		expect(templateProblem('Saldo { importo')).toMatch(/^Parentesi graffa/);
		expect(templateProblem('Saldo importo}')).toMatch(/^Parentesi graffa/);
	});
});

describe('sending solleciti', () => {
	it('previews the first e-mail and writes nothing', () => {
		const before = rows(o.db, 'SELECT (SELECT count(*) FROM reminders) AS r, (SELECT count(*) FROM audit_log) AS a')[0];
		const r = previewReminders(o.db, o.scope, o.tenant('mazze'), 'https://mensa.example', selection, TODAY);
		expect(r).toMatchObject({ emails: 2, skipped: 1 });
		expect(r.first).toMatchObject({ to: 'maria.rossi@example.com', subject: 'Sollecito: saldo negativo di Luca Rossi (Refezione) — Comune di Mazzè' });
		expect(r.first!.text).toContain('il saldo del servizio Refezione di Luca Rossi è negativo dal 02/11/2026: mancano 21,00 €.');
		expect(r.first!.text).toContain('https://mensa.example/ricarica?consumer=');
		expect(r.lines.find((l) => l.name === 'Anna Ferrari')!.skipped).toMatch(/^Nessun genitore con un account/);
		expect(rows(o.db, 'SELECT (SELECT count(*) FROM reminders) AS r, (SELECT count(*) FROM audit_log) AS a')[0]).toEqual(before);
	});

	it('logs one reminder per guardian address, audits the batch, and never sends the same request twice', () => {
		const luca = findDebtors(o.db, o.scope, selection, TODAY).find((d) => d.givenName === 'Luca')!;
		const r = sendReminders(o.db, o.clock, o.scope, { userId: o.operator.id, ip: '10.0.0.7' }, args('req-1', { ...selection, accountIds: [luca.accountId, 999_999] }));
		expect(r.status).toBe('sent');
		if (r.status !== 'sent') return;
		// Queued with the log, in its transaction: the outbox sends them.
		expect(rows(o.db, 'SELECT kind, recipient, tenant_id FROM mail_outbox')).toEqual([{ kind: 'sollecito', recipient: 'maria.rossi@example.com', tenant_id: o.scope.tenantId }]);
		expect(r.lines.map((l) => [l.name, l.skipped === null])).toEqual([['—', false], ['Luca Rossi', true]]);
		expect(rows(o.db, 'SELECT consumer_id, guardian_user_id, email, balance_cents, days_in_debt FROM reminders')).toEqual([
			{ consumer_id: o.luca.id, guardian_user_id: o.maria.id, email: 'maria.rossi@example.com', balance_cents: -2100, days_in_debt: 7 }
		]);
		expect(rows(o.db, "SELECT entity, entity_id FROM audit_log WHERE action = 'debtors.remind'")).toEqual([{ entity: 'reminder_batch', entity_id: 'req-1' }]);
		expect(sendReminders(o.db, o.clock, o.scope, { userId: o.operator.id, ip: '' }, args('req-1')).status).toBe('duplicate');
		expect(rows(o.db, 'SELECT (SELECT count(*) FROM reminders) AS r, (SELECT count(*) FROM mail_outbox) AS m')[0]).toEqual({ r: 1, m: 1 });
		expect(findDebtors(o.db, o.scope, selection, TODAY).find((d) => d.givenName === 'Luca')).toMatchObject({ remindersSent: 1, lastReminderAt: o.clock.now() });
	});

	it('sends and logs nothing when no row has an address: Anna alone, or another Comune’s rows', () => {
		const before = rows(o.db, 'SELECT (SELECT count(*) FROM reminders) AS r, (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM mail_outbox) AS m')[0];
		const [anna, luca] = ['Anna', 'Luca'].map((name) => findDebtors(o.db, o.scope, selection, TODAY).find((d) => d.givenName === name)!.accountId);
		const actor = { userId: o.operator.id, ip: '' };
		expect(sendReminders(o.db, o.clock, o.scope, actor, args('req-2', { ...selection, accountIds: [anna] }))).toMatchObject({ status: 'nothing' });
		const chiusi = { ...args('req-3', { ...selection, accountIds: [luca] }), tenant: o.tenant('chiusi-della-verna') };
		expect(sendReminders(o.db, o.clock, o.chiusiScope, actor, chiusi)).toMatchObject({ status: 'nothing', lines: [{ accountId: luca, emails: [] }] });
		expect(rows(o.db, 'SELECT (SELECT count(*) FROM reminders) AS r, (SELECT count(*) FROM audit_log) AS a, (SELECT count(*) FROM mail_outbox) AS m')[0]).toEqual(before);
	});

	it('writes to the applicant’s e-mail from the enrolment when no guardian has an account yet', () => {
		const anna = findDebtors(o.db, o.scope, selection, TODAY).find((d) => d.givenName === 'Anna')!;
		o.db.$client.prepare(`UPDATE enrolments SET applicant_email = 'giovanni.ferrari@example.com', applicant_name = 'Giovanni Ferrari' WHERE consumer_id = ?`).run(anna.consumerId);
		const sent = sendReminders(o.db, o.clock, o.scope, { userId: o.operator.id, ip: '' }, args('req-4', { ...selection, accountIds: [anna.accountId] }));
		expect(sent).toMatchObject({ status: 'sent', emails: 1, lines: [{ accountId: anna.accountId, emails: ['giovanni.ferrari@example.com'], skipped: null }] });
		expect(rows(o.db, 'SELECT body FROM mail_outbox WHERE recipient = ?', 'giovanni.ferrari@example.com')[0].body).toContain('Giovanni Ferrari');
		expect(rows(o.db, 'SELECT email, guardian_user_id FROM reminders WHERE consumer_id = ?', anna.consumerId)).toEqual([{ email: 'giovanni.ferrari@example.com', guardian_user_id: null }]);
	});

	it('uses the Comune’s own template, and audits its change', () => {
		setReminderTemplate(o.db, o.clock, o.scope, { userId: o.operator.id, ip: '' }, 'Debito di {nome_figlio}: {importo} — {comune}');
		const r = previewReminders(o.db, o.scope, o.tenant('mazze'), 'https://mensa.example', selection, TODAY);
		expect(r.first!.text).toBe('Debito di Luca Rossi: 21,00 € — Mazzè');
		expect(rows(o.db, "SELECT details FROM audit_log WHERE action = 'debtors.reminder_template'").map((d) => JSON.parse(d.details as string))).toEqual([
			{ from: '', to: 'Debito di {nome_figlio}: {importo} — {comune}' }
		]);
		expect(o.tenant('chiusi-della-verna').reminderTemplate).toBe('');
	});
});

describe('export for the collection procedure', () => {
	it('is Italian Excel CSV: BOM, ";", amounts owed with a decimal comma, CF of child and applicant', () => {
		const csv = debtorsCsv(findDebtors(o.db, o.scope, selection, TODAY), 'Europe/Rome');
		expect(csv.startsWith('\uFEFFCodice fiscale alunno;Cognome alunno;Nome alunno;')).toBe(true);
		expect(csv).toContain('\r\nFRRNNA18T45E379T;Ferrari;Anna;');
		expect(csv).toContain(';FRRGNN82H15L219L;Giovanni Ferrari;12,50;02/11/2026;7;0;\r\n');
	});
});
