import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { staffSession } from '../helpers/e2e.js';
import { serviceThursday } from '../helpers/server.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * The back office in Chromium: the kitchen reads the day's counts, the ufficio opens the calendar
 * and the corrections. Each page is checked with axe (WCAG 2.1 A/AA) and for sideways scrolling
 * at 360 px, since a tablet in the kitchen or a phone must do.
 */

const PHONE_WIDTH = 360;

const thursday = serviceThursday();

const s = staffSession();
let page: Page;

beforeAll(async () => {
	// 08:00 in Rome: the forecast, before the cutoff.
	await fetch(`${s.server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: s.server.url }, body: JSON.stringify({ now: `${thursday}T07:00:00Z` }) });
});

async function expectAccessible(what: string) {
	const violations = await axeViolations(page);
	expect(violations.map((v) => v.id), `axe on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

describe('kitchen', () => {
	it('lands on the report: a table per school with totals, the forecast badge, print and CSV', async () => {
		page = await s.signIn('cucina@mazze.example.it');
		expect(new URL(page.url()).pathname).toBe('/cucina');
		await gotoHydrated(page, `/cucina?data=${thursday}`);
		await page.getByRole('heading', { name: 'Pasti del giorno', level: 1 }).waitFor();
		// The kitchen's menu holds the report and nothing else.
		const nav = page.getByRole('navigation', { name: 'Menù principale' });
		expect(await nav.getByRole('link').allTextContents()).toEqual(['Pasti del giorno']);

		await page.getByText('Previsione — si aggiorna fino alle 09:30').waitFor();
		const primaria = page.getByRole('table').filter({ has: page.getByRole('rowheader', { name: '3ª B' }) });
		expect(await primaria.getByRole('columnheader').allTextContents()).toEqual(['Classe', 'Pasti normali', 'In bianco', 'Totale', 'Diete speciali']);
		expect(await primaria.getByRole('row', { name: /3ª B/ }).getByRole('cell').allTextContents()).toEqual(['1', '0', '1', '—']);
		const infanzia = page.getByRole('table').filter({ has: page.getByRole('rowheader', { name: 'Sezione A' }) });
		expect(await infanzia.getByRole('row', { name: /Sezione A/ }).getByRole('cell').allTextContents()).toEqual(['1', '0', '1', 'senza glutine: 1']);
		const totals = page.getByTestId('totali');
		expect(await totals.getByRole('row', { name: /^Totale / }).getByRole('cell').allTextContents()).toEqual(['3', '0', '3', 'senza glutine: 1']);

		await page.getByRole('button', { name: 'Stampa' }).waitFor();
		expect(await page.getByRole('link', { name: 'Scarica CSV' }).getAttribute('href')).toBe(`/cucina/report.csv?data=${thursday}`);
		// Printed, the navigation and the buttons are gone.
		await page.emulateMedia({ media: 'print' });
		expect(await page.locator('header').isVisible()).toBe(false);
		expect(await page.getByRole('button', { name: 'Stampa' }).isVisible()).toBe(false);
		await page.emulateMedia({ media: 'screen' });

		await screenshot(page, 'cucina-desktop');
		await expectAccessible('/cucina');
	});

	it('fits a phone, with no sideways scroll', async () => {
		page = await s.signIn('cucina@mazze.example.it', { size: 'phone' });
		await gotoHydrated(page, `/cucina?data=${thursday}`);
		await screenshot(page, 'cucina-phone');
		await expectNoSidewaysScroll('/cucina');
		await expectAccessible('/cucina at 360 px');
	});

	it('her name leads to her own account: the password, and new recovery codes shown once', async () => {
		// The page must count the new set, not show the count it opened with.
		const db = new Database(s.server.dbPath, { readonly: true });
		let before: number;
		try {
			before = db.prepare(`SELECT count(*) FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = 'cucina@mazze.example.it' AND r.used_at IS NULL`).pluck().get() as number;
		} finally {
			db.close();
		}
		expect(before).not.toBe(10);
		// On the phone-sized page the test before signed in.
		await page.getByRole('link', { name: /il mio account/ }).click();
		await page.waitForURL('**/account');
		await settle(page);
		await page.getByRole('heading', { level: 1, name: 'Il mio account' }).waitFor();
		expect(await page.getByText(`Ti restano ${before} codici.`).isVisible()).toBe(true);
		await page.getByRole('button', { name: 'Genera nuovi codici' }).click();
		const shown = page.getByRole('status').filter({ hasText: 'Ecco i nuovi codici' });
		await shown.waitFor();
		expect(await shown.locator('code').count()).toBe(10);
		expect(await page.getByText('Ti restano 10 codici.').isVisible()).toBe(true);
		await expectNoSidewaysScroll('/account');
		await expectAccessible('/account at 360 px');
	});
});

describe('ufficio', () => {
	it('calendario: service weekdays per school and the closures, accessible', async () => {
		page = await s.signIn('ufficio@mazze.example.it');
		expect(new URL(page.url()).pathname).toBe('/ufficio');
		await page.getByRole('link', { name: 'Calendario' }).first().click();
		await page.waitForURL('**/ufficio/calendario');
		await settle(page);
		const form = page.getByRole('form', { name: 'Scuola secondaria di I grado "Carlo Alberto Dalla Chiesa"' });
		// Secondary school: Mon, Wed, Thu.
		expect(await form.getByRole('checkbox', { checked: true }).count()).toBe(3);
		await page.getByText('Vacanze di Natale', { exact: true }).waitFor();
		await screenshot(page, 'calendario-desktop');
		await expectAccessible('/ufficio/calendario');

		// bootstrap-italia draws the box in the label, over the real input: the label is what gets clicked.
		await form.locator('label').filter({ hasText: 'venerdì' }).click();
		expect(await form.getByRole('checkbox', { name: 'venerdì' }).isChecked()).toBe(true);
		await form.getByRole('button', { name: 'Salva il calendario' }).click();
		await form.getByRole('status').filter({ hasText: /la modifica vale dal \d{2}\/\d{2}\/\d{4}/ }).waitFor();
		await screenshot(page, 'calendario-salvato');
		await expectAccessible('/ufficio/calendario after saving');

		// A closure for one school, then removed: it has not started yet.
		await page.getByLabel('Ambito').selectOption({ label: 'Scuola primaria "Gianni Rodari"' });
		await page.locator('#fromDate').fill(thursday);
		await page.locator('#toDate').fill(thursday);
		await page.getByLabel('Motivo', { exact: true }).fill('Sciopero del personale');
		await page.getByRole('button', { name: 'Aggiungi la chiusura' }).click();
		await page.getByRole('status').filter({ hasText: 'Chiusura aggiunta' }).waitFor();
		const remove = page.getByRole('button', { name: /Rimuovi la chiusura «Sciopero del personale»/ });
		await screenshot(page, 'calendario-chiusura');
		await expectAccessible('/ufficio/calendario with a new closure');
		await remove.click();
		await page.getByRole('status').filter({ hasText: 'Chiusura rimossa' }).waitFor();
		// The message may show a moment before the list is reloaded.
		await remove.waitFor({ state: 'detached', timeout: 5_000 });
		// Christmas has not started either; nothing before today is offered for removal.
		expect(await page.getByRole('button', { name: /Rimuovi la chiusura «Vacanze di Natale»/ }).count()).toBe(1);
	});

	it('correzioni: search, choose a pupil, correct a day, accessible', async () => {
		await page.getByRole('link', { name: 'Correzioni' }).click();
		await page.waitForURL('**/ufficio/correzioni');
		await settle(page);
		await expectAccessible('/ufficio/correzioni');
		await page.getByLabel('Nome, cognome o codice fiscale').fill('rossi');
		await page.getByRole('button', { name: 'Cerca' }).click();
		await page.getByRole('button', { name: /Luca Rossi/ }).click();
		await page.getByRole('heading', { name: 'Correggi un giorno di Luca Rossi' }).waitFor();
		await page.locator('#date').fill(thursday);
		await page.getByRole('button', { name: 'Registra la correzione' }).click();
		// The reason is mandatory: said next to the field.
		await page.locator('#reason-error').waitFor();
		expect(await page.locator('#reason').getAttribute('aria-invalid')).toBe('true');
		await page.locator('label[for="stato-assente"]').click();
		expect(await page.getByRole('radio', { name: 'Assente' }).isChecked()).toBe(true);
		await page.getByLabel('Motivo (obbligatorio)').fill('Uscita anticipata');
		await page.getByRole('button', { name: 'Registra la correzione' }).click();
		await page.getByRole('status').filter({ hasText: /Ricevuta/ }).waitFor();
		await screenshot(page, 'correzioni-desktop');
		await expectAccessible('/ufficio/correzioni with a pupil chosen');
	});

	it('the calendar and the corrections fit a phone', async () => {
		page = await s.signIn('ufficio@mazze.example.it', { size: 'phone' });
		for (const path of ['/ufficio/calendario', '/ufficio/correzioni']) {
			await gotoHydrated(page, path);
			await screenshot(page, `${path.split('/').pop()}-phone`);
			await expectNoSidewaysScroll(path);
		}
		expect(s.problems).toEqual([]);
	});
});

describe('school staff', () => {
	it('corrects only the pupils of the delegated school, on the same page component, without diets', async () => {
		page = await s.signIn('infanzia@mazze.example.it', { size: 'phone' });
		expect(new URL(page.url()).pathname).toBe('/scuola');
		await page.getByRole('link', { name: 'Correzioni' }).first().click();
		await page.waitForURL('**/scuola/correzioni');
		await settle(page);
		await page.getByLabel('Nome, cognome o codice fiscale').fill('rossi');
		await page.getByRole('button', { name: 'Cerca' }).click();
		await page.getByRole('button', { name: /Sofia Rossi/ }).click();
		expect(await page.getByRole('button', { name: /Luca Rossi/ }).count()).toBe(0);
		await page.getByRole('heading', { name: 'Correggi un giorno di Sofia Rossi' }).waitFor();
		expect(await page.getByRole('heading', { name: /Dieta speciale/ }).count()).toBe(0);
		await screenshot(page, 'scuola-correzioni-phone');
		await expectNoSidewaysScroll('/scuola/correzioni');
		await expectAccessible('/scuola/correzioni');
		expect(s.problems).toEqual([]);
	});
});
