import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { createSession } from '../auth/session.js';
import { seedDemoHistory } from '../seed/demo-history.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { exportGuardianData } from './export.js';
import { renderDataExportPdf } from './export-pdf.js';
import { pdfText } from '../../tests/helpers/pdf-text.js';

async function withHistory() {
	const db = await seededDb();
	seedDemoHistory(db, new Date(NOV_2026));
	const f = fixtureOf(db);
	createSession(db, fixedClock(NOV_2026), 'a-secret-session-token', f.maria.id);
	return f;
}

describe('exportGuardianData', () => {
	it("gives Maria her profile and her two children's enrolments, marks, meals, balances and postings, and nobody else's", async () => {
		const f = await withHistory();
		const data = exportGuardianData(f.db, f.scope, fixedClock(NOV_2026), f.maria.id)!;
		expect(data.user).toMatchObject({ givenName: 'Maria', familyName: 'Rossi', codiceFiscale: 'RSSMRA85C52L219F', phone: '333 1234567' });
		expect(data.children.map((c) => c.givenName)).toEqual(['Luca', 'Sofia']);
		const sofia = data.children[1];
		expect(sofia).toMatchObject({ codiceFiscale: 'RSSSFO21P60E379I', birthDate: '2021-09-20', dietLabel: 'senza glutine' });
		expect(sofia.enrolments[0]).toMatchObject({ status: 'attiva', applicantName: 'Maria Rossi' });
		expect(sofia.meals.length).toBeGreaterThan(0);
		const account = sofia.accounts[0];
		expect(account.postings.reduce((s, p) => s + p.amountCents, 0)).toBe(account.balanceCents);
		expect(rows(f.db, 'SELECT count(*) AS n FROM day_marks WHERE consumer_id = ?', f.luca.id)[0].n).toBe(data.children[0].dayMarks.length);
		expect(data.payments.length).toBeGreaterThan(0);
		expect(data.guardianLinks.map((l) => l.consumer)).toEqual(['Luca', 'Sofia']);
		expect(data.sessions).toHaveLength(1);
		const json = JSON.stringify(data);
		expect(json).not.toContain('Anna');
		expect(json).not.toContain('Tommaso');
	});

	it('names the other parent who applied for a child, without their fiscal code or e-mail', async () => {
		const f = await withHistory();
		f.db.$client
			.prepare("UPDATE enrolments SET applicant_fiscal_code = 'FRRGNN82H15L219L', applicant_name = 'Giovanni Ferrari', applicant_email = 'giovanni@example.com' WHERE consumer_id = ?")
			.run(f.sofia.id);
		const data = exportGuardianData(f.db, f.scope, fixedClock(NOV_2026), f.maria.id)!;
		expect(data.children[0].enrolments[0]).toMatchObject({ applicantFiscalCode: 'RSSMRA85C52L219F', applicantIsYou: true });
		expect(data.children[1].enrolments[0]).toMatchObject({ applicantName: 'Giovanni Ferrari', applicantFiscalCode: null, applicantEmail: null, applicantIsYou: false });
		const json = JSON.stringify(data);
		expect(json).not.toContain('FRRGNN82H15L219L');
		expect(json).not.toContain('giovanni@example.com');
		// An account that never gave its fiscal code knows its own applications by their e-mail.
		f.db.$client.prepare("UPDATE enrolments SET applicant_email = 'maria.rossi@example.com' WHERE consumer_id = ?").run(f.luca.id);
		f.db.$client.prepare('UPDATE users SET codice_fiscale = NULL, fiscal_code_verified_at = NULL WHERE id = ?').run(f.maria.id);
		const withoutCf = exportGuardianData(f.db, f.scope, fixedClock(NOV_2026), f.maria.id)!;
		expect(withoutCf.children[0].enrolments[0]).toMatchObject({ applicantFiscalCode: 'RSSMRA85C52L219F', applicantIsYou: true });
		expect(withoutCf.children[1].enrolments[0]).toMatchObject({ applicantFiscalCode: null, applicantIsYou: false });
	});

	it('leaves out every secret: password hash, session token hash, activation code hash', async () => {
		const f = await withHistory();
		const json = JSON.stringify(exportGuardianData(f.db, f.scope, fixedClock(NOV_2026), f.maria.id));
		const secrets = [
			rows(f.db, 'SELECT hash FROM password_credentials WHERE user_id = ?', f.maria.id)[0].hash,
			rows(f.db, 'SELECT id FROM sessions WHERE user_id = ?', f.maria.id)[0].id,
			...rows(f.db, 'SELECT activation_code_hash AS h FROM enrolments WHERE consumer_id IN (?, ?)', f.luca.id, f.sofia.id).map((r) => r.h)
		] as string[];
		for (const secret of secrets) expect(json).not.toContain(secret);
	});

	it('answers nothing for a user of another Comune', async () => {
		const f = await withHistory();
		expect(exportGuardianData(f.db, f.chiusiScope, fixedClock(NOV_2026), f.maria.id)).toBeNull();
	});

	it('renders the same data as a PDF, with Italian dates and times', async () => {
		const f = await withHistory();
		const bytes = await renderDataExportPdf(exportGuardianData(f.db, f.scope, fixedClock(NOV_2026), f.maria.id)!, 'Comune di Mazzè', 'Europe/Rome');
		expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
		const text = pdfText(bytes);
		// 06:00 UTC on 2 November is 07:00 in Rome.
		expect(text).toContain('Estratto il 02/11/2026 07:00 (ora italiana).');
		expect(text).toContain('Data di nascita: 04/05/2017');
		// No ISO date where a date is shown (a demo operation's id has one inside it).
		expect(text).not.toMatch(/(^|\n|il |dal |al |aperta |scade )20\d\d-\d\d-\d\d/);
	});
});
