import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { axeViolations, formatViolations, gotoHydrated, launchBrowser, overflowingElements, phoneContext, screenshot, scrollWidth, settle, watchProblems } from '../helpers/browser.js';

/*
 * Tariffe in Chromium: the ufficio adds a band, gives it a new price from next Monday, and sees
 * both in the list; axe (WCAG 2.1 A/AA) on the page; the page fits a 360 px phone.
 */

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let phone: BrowserContext;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
	[server, browser] = await Promise.all([startTestServer({ DAY_CLOSE: 'off' }), launchBrowser()]);
	context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome' });
	context.setDefaultTimeout(10_000);
	page = await context.newPage();
	problems.push(...watchProblems(page));
});
afterAll(async () => {
	await phone?.close();
	await context?.close();
	await browser?.close();
	await server?.stop();
});
beforeEach(({ task, onTestFailed }) => {
	onTestFailed(() => screenshot(page, `failed-${task.name.replace(/\W+/g, '-')}`).catch(() => undefined));
});

/** Next Monday in Rome, as YYYY-MM-DD (never today). */
function nextMonday(): string {
	const today = new Date(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome' }).format(new Date()) + 'T12:00:00Z');
	const ahead = (8 - (today.getUTCDay() || 7)) % 7 || 7;
	return new Date(today.getTime() + ahead * 86_400_000).toISOString().slice(0, 10);
}

async function signIn(p: Page) {
	await gotoHydrated(p, '/login/mazze');
	await p.getByLabel('E-mail').fill('ufficio@mazze.example.it');
	await p.getByLabel('Password').fill('MensaAperta-2026');
	await p.getByRole('button', { name: 'Accedi' }).click();
	await p.waitForURL((url) => !url.pathname.startsWith('/login'));
	await settle(p);
}

describe('ufficio: tariffe', () => {
	it('adds a band, changes its price from next Monday and sees the list', async () => {
		await signIn(page);
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
		expect(problems).toEqual([]);
	});

	it('fits a phone', async () => {
		phone = await phoneContext(browser, server.url);
		page = await phone.newPage();
		problems.push(...watchProblems(page));
		await signIn(page);
		await gotoHydrated(page, '/ufficio/tariffe');
		const width = await scrollWidth(page);
		expect(width, `scrolls sideways: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
		expect(problems).toEqual([]);
	});
});
