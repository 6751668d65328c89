import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { staffSession } from '../helpers/e2e.js';
import { TEST_NOW } from '../helpers/server.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, scrollWidth, settle } from '../helpers/browser.js';

/*
 * Tariffe in Chromium: the ufficio adds a band, gives it a new price from next Monday, and sees
 * both in the list; axe (WCAG 2.1 A/AA) on the page; the page fits a 360 px phone.
 */

const s = staffSession({ DAY_CLOSE: 'off' });
let page: Page;

/** The Monday after the test server's today in Rome, as YYYY-MM-DD (never today): its clock decides, not the machine's. */
function nextMonday(): string {
	const today = new Date(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date(TEST_NOW)) + 'T12:00:00Z');
	const ahead = (8 - (today.getUTCDay() || 7)) % 7 || 7;
	return new Date(today.getTime() + ahead * 86_400_000).toISOString().slice(0, 10);
}

describe('ufficio: tariffe', () => {
	it('adds a band, changes its price from next Monday and sees the list', async () => {
		page = await s.signIn('ufficio@mazze.example.it');
		await page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name: 'Tariffe', exact: true }).click();
		await page.waitForURL('**/ufficio/tariffe');
		await settle(page);
		await expect.poll(() => page.getByRole('heading', { name: 'Tariffe', level: 1 }).isVisible()).toBe(true);
		await expect.poll(() => page.getByText('dal secondo in poi il prezzo è ridotto', { exact: false }).isVisible()).toBe(true);

		const newBand = page.getByRole('form', { name: 'Nuova fascia' });
		await newBand.getByLabel('Nome della fascia').fill('Fascia D — non residenti');
		await newBand.getByLabel('Prezzo a pasto (€)').fill('6,10');
		await newBand.getByRole('button', { name: 'Aggiungi la fascia' }).click();
		await expect.poll(() => newBand.getByRole('status').textContent()).toBe('Fascia «Fascia D — non residenti» aggiunta.');
		const row = page.getByRole('row', { name: /Fascia D — non residenti/ });
		await expect.poll(() => row.textContent()).toContain('6,10 €');

		const monday = nextMonday();
		const italian = monday.split('-').reverse().join('/');
		const change = page.getByRole('form', { name: 'Cambio di prezzo da una data' });
		await change.getByLabel('Fascia').selectOption({ label: 'Fascia D — non residenti (oggi 6,10 €)' });
		expect(await change.getByLabel('Dal giorno').inputValue()).toBe(monday);
		await change.getByLabel('Nuovo prezzo a pasto (€)').fill('6,30');
		await change.getByRole('button', { name: 'Salva il cambio di prezzo' }).click();
		await expect.poll(() => change.getByRole('status').textContent()).toBe(`Nuovo prezzo dal ${italian}.`);
		await expect.poll(() => row.textContent()).toContain(`dal ${italian}: 6,30 €`);
		// Still today's price until Monday.
		expect(await row.getByRole('cell').first().textContent()).toBe('6,10 €');

		// A day in the past is refused next to the field, in Italian.
		await change.getByLabel('Dal giorno').fill('2026-09-01');
		await change.getByRole('button', { name: 'Salva il cambio di prezzo' }).click();
		await expect.poll(() => change.getByRole('alert').first().textContent()).toMatch(/^La data deve essere nell’anno scolastico/);

		const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(serious.map((v) => v.id), formatViolations(serious)).toEqual([]);
		expect(s.problems).toEqual([]);
	});

	it('fits a phone', async () => {
		page = await s.signIn('ufficio@mazze.example.it', { size: 'phone' });
		await gotoHydrated(page, '/ufficio/tariffe');
		const width = await scrollWidth(page);
		expect(width, `scrolls sideways: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
		expect(s.problems).toEqual([]);
	});
});
