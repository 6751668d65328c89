import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { staffSession, submitNewComune } from '../helpers/e2e.js';
import { linkIn } from '../helpers/smtp.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, scrollWidth, settle } from '../helpers/browser.js';

/*
 * A Comune from zero in Chromium: the platform admin creates it and invites its operator; the
 * operator opens the link from the e-mail, chooses a password, signs in, and creates a school
 * year, a school and a class. axe (WCAG 2.1 A/AA) on each page; the operator's pages at 360 px.
 */

const OPERATOR_PASSWORD = 'Refezione-Caluso-2026';

const s = staffSession({ DAY_CLOSE: 'off' });
let page: Page;
/** the admin's page from the first test, still signed in */
let admin: Page;

async function expectAccessible(what: string) {
	const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => v.id), `axe on ${what}:\n${formatViolations(serious)}`).toEqual([]);
}

async function expectNoSidewaysScroll(what: string) {
	expect(await scrollWidth(page), `${what} scrolls sideways: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
}

describe('a Comune from zero', () => {
	it('the admin creates the Comune and invites its operator', async () => {
		page = await s.signIn('admin@mensa-aperta.example', { at: '/admin/login' });
		await page.waitForURL('**/admin');
		await expect.poll(() => page.getByRole('link', { name: 'Mazzè' }).isVisible()).toBe(true);
		await expectAccessible('the list of Comuni');

		await submitNewComune(page, '84001550015');
		// Mazzè's codice fiscale: refused next to the field, nothing created.
		await expect.poll(() => page.locator('#codiceFiscaleEnte-error').textContent()).toBe('Codice fiscale dell’ente: già registrato per un altro Comune');
		expect(await page.getByRole('alert').filter({ hasText: 'Controlla i campi evidenziati.' }).count()).toBe(1);
		await expectAccessible('the new Comune form with an error');
		await page.getByLabel('Codice fiscale dell’ente').fill('83001730015');
		await page.getByRole('button', { name: 'Crea il Comune' }).click();
		await page.waitForURL(/\/admin\/comuni\/\d+\?creato$/);
		await settle(page);
		expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Comune di Calùso');
		expect(await page.getByText('Comune creato. Ora invita gli operatori dell’ufficio scuola.').isVisible()).toBe(true);
		await expectAccessible('the Comune page');

		// A secret typed and saved: the form then shows it set, by its last four characters only, and empty.
		await page.getByLabel('Segreto delle ricevute').fill('segreto-delle-ricevute-di-caluso-WXYZ');
		await page.getByRole('button', { name: 'Salva le impostazioni' }).click();
		await expect.poll(() => page.getByText('Impostazioni salvate.').isVisible()).toBe(true);
		await expect.poll(() => page.getByText('Impostato (••••WXYZ). Lascia vuoto per non cambiarlo.').isVisible()).toBe(true);
		expect(await page.getByLabel('Segreto delle ricevute').inputValue()).toBe('');

		await page.locator('#operatore-givenName').fill('Paola');
		await page.locator('#operatore-familyName').fill('Neri');
		await page.locator('#operatore-email').fill('paola.neri@caluso.example.it');
		await page.getByRole('button', { name: 'Invia l’invito' }).click();
		await expect.poll(() => page.getByText('Invito inviato a paola.neri@caluso.example.it').isVisible()).toBe(true);
		await expect.poll(() => page.getByText('Paola Neri — paola.neri@caluso.example.it').textContent()).toContain('invitato');
		admin = page;
	});

	it('the operator accepts, signs in, and creates a school year, a school and a class', async () => {
		const mail = await s.server.smtp.waitFor('paola.neri@caluso.example.it');
		const link = linkIn(mail, '/invito?token=');
		page = await s.newPage('phone');
		await gotoHydrated(page, `${link.pathname}${link.search}`);
		expect(await page.getByText('sei stato invitato a Mensa Aperta dal Comune di Calùso').isVisible()).toBe(true);
		await expectAccessible('the invitation page');
		await page.getByLabel('Password', { exact: true }).fill(OPERATOR_PASSWORD);
		await page.getByLabel('Ripeti la password').fill(OPERATOR_PASSWORD);
		await page.getByRole('button', { name: 'Attiva l’accesso' }).click();
		await page.waitForURL('**/login/caluso?attivato');
		await page.getByText('Accesso attivato: entra con la tua e-mail e la password appena scelta.').waitFor();
		await settle(page);
		await page.locator('#email').fill('paola.neri@caluso.example.it');
		await page.locator('#password').fill(OPERATOR_PASSWORD);
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/accesso/codice');
		await expectAccessible('the authenticator set-up page');
		await s.passSecondFactor(page, 'paola.neri@caluso.example.it');
		await page.waitForURL('**/ufficio');
		await settle(page);

		await gotoHydrated(page, '/ufficio/scuole');
		expect(await page.getByText('Comune di Calùso').first().isVisible()).toBe(true);
		expect(await page.getByText('Nessun anno scolastico: crea il primo.').isVisible()).toBe(true);
		await expectAccessible('the empty Scuole page');
		await expectNoSidewaysScroll('the empty Scuole page');

		await page.locator('#nuovo-anno-label').fill('2026/27');
		await page.locator('#nuovo-anno-firstDay').fill('2026-09-14');
		await page.locator('#nuovo-anno-lastDay').fill('2027-06-10');
		await page.getByRole('button', { name: 'Crea l’anno scolastico' }).click();
		await expect.poll(() => page.getByText('Anno scolastico 2026/27 salvato: dal 14/09/2026 al 10/06/2027.').isVisible()).toBe(true);

		await page.locator('#nuova-scuola-name').fill('Scuola primaria di Caluso');
		await page.locator('#nuova-scuola-address').fill('Via Roma 1');
		await page.getByRole('button', { name: 'Crea la scuola' }).click();
		await expect.poll(() => page.getByRole('heading', { name: 'Scuola primaria di Caluso' }).isVisible()).toBe(true);
		expect(await page.getByRole('heading', { name: 'Classi 2026/27' }).isVisible()).toBe(true);

		await page.getByLabel('Nuova classe in Scuola primaria di Caluso').fill('1ª A');
		await page.getByRole('button', { name: 'Aggiungi la classe' }).click();
		await expect.poll(() => page.getByText('Classe «1ª A» salvata.').isVisible()).toBe(true);
		expect(await page.locator('summary', { hasText: '1ª A' }).isVisible()).toBe(true);
		await expectAccessible('the Scuole page with a school and a class');
		await expectNoSidewaysScroll('the Scuole page with a school and a class');
		expect(s.problems).toEqual([]);
	});

	it('a secretary of two schools is listed once for each on the admin’s page, which keeps working', async () => {
		const db = new Database(s.server.dbPath);
		try {
			db.prepare(
				`INSERT INTO memberships (tenant_id, user_id, role, school_id, created_at)
				 SELECT m.tenant_id, m.user_id, 'school_staff', (SELECT id FROM schools WHERE tenant_id = m.tenant_id AND id <> m.school_id LIMIT 1), 0
				 FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = 'infanzia@mazze.example.it' AND m.role = 'school_staff'`
			).run();
		} finally {
			db.close();
		}
		await gotoHydrated(admin, '/admin');
		await admin.getByRole('link', { name: 'Mazzè' }).click();
		await expect.poll(() => admin.getByText(/infanzia@mazze\.example\.it/).count()).toBe(2);
		// Hydrated, and working: its buttons answer.
		expect(await admin.getByRole('button', { name: 'Invia l’invito' }).isEnabled()).toBe(true);
		expect(s.problems).toEqual([]);
	});
});
