import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { testClient } from '../helpers/client.js';
import { until } from '../helpers/wait.js';
import { creditDirectly } from '../helpers/ledger.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * Maria, on a phone, after a top-up of 30 € for Luca and three days closed by the server (Luca
 * absent on Wednesday): the saldo on Home and on Luca's page with the forecast, then the estratto
 * conto of the month, filtered to one day, and the school year, with and without JavaScript.
 */

const session = phoneSession();

const PHONE_WIDTH = 360;
const MEAL = 420;

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;
let sofiaId: number;
let groupId: number;
let lucaBalance: number;

const euro = (cents: number) => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)},${String(Math.abs(cents) % 100).padStart(2, '0')} €`;

async function setServerClock(iso: string) {
	const response = await fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: iso }) });
	expect(response.status).toBe(200);
}

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

/** No serious or critical WCAG A/AA violation. */
async function expectAccessible(what: string) {
	const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(violations.map((v) => v.id), `axe on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

/** Luca's school days after Thursday 26/11 (closed): Mon–Fri, 8 December a holiday. */
function nextServiceDays(n: number): string[] {
	const out: string[] = [];
	for (let t = Date.parse('2026-11-27T12:00:00Z'); out.length < n; t += 86_400_000) {
		const d = new Date(t);
		const iso = d.toISOString().slice(0, 10);
		if (d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && iso !== '2026-12-08') out.push(iso);
	}
	return out;
}

const rowTexts = () => page.locator('table.statement tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	const maria = testClient(server.url);
	await maria.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: 'MensaAperta-2026' });
	const children = await maria.trpc.guardian.consumers.query();
	lucaId = children.find((c) => c.givenName === 'Luca')!.id;
	sofiaId = children.find((c) => c.givenName === 'Sofia')!.id;
	groupId = (await maria.trpc.account.balances.query({ consumerId: lucaId }))[0].serviceGroupId;

	creditDirectly(server.dbPath, { consumerId: lucaId, serviceGroupId: groupId, amountCents: 3000, valueDate: '2026-11-20', description: 'Ricarica pagoPA avviso 3010 0000 0000 0042 85', externalId: 'e2e:ricarica-luca' });
	await setServerClock('2026-11-24T07:00:00Z'); // Tuesday 08:00 in Rome
	await maria.trpc.meals.mark.mutate({ marks: [{ mutationId: crypto.randomUUID(), consumerId: lucaId, date: '2026-11-25', kind: 'assenza', value: true }] });
	await setServerClock('2026-11-26T09:00:00Z'); // Thursday 10:00: the server closes 24, 25 and 26
	await until(
		() => maria.trpc.account.statement.query({ consumerId: lucaId, serviceGroupId: groupId, from: '2026-11-26', to: '2026-11-26' }),
		(s) => s.rows.length === 1
	);
	lucaBalance = (await maria.trpc.account.balances.query({ consumerId: lucaId }))[0].balanceCents;

});

describe('saldo and estratto conto on a phone (360×740)', () => {
	it('shows each child’s saldo on Home; a negative one says so in words, not only in red', async () => {
		await gotoHydrated(page, '/login/mazze');
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await settle(page);

		const luca = page.locator('article', { has: page.getByRole('heading', { name: 'Luca Rossi' }) });
		expect((await luca.locator('.saldo').textContent())?.replace(/\s+/g, ' ').trim()).toBe(`Saldo ${euro(lucaBalance)}`);
		const sofia = page.locator('article', { has: page.getByRole('heading', { name: 'Sofia Rossi' }) });
		const sofiaSaldo = (await sofia.locator('.saldo').textContent())?.replace(/\s+/g, ' ').trim();
		expect(sofiaSaldo).toMatch(/^Saldo -\d+,\d\d € negativo$/);
		expect(await sofia.locator('.saldo strong').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(165, 14, 14)');
		await expectNoSidewaysScroll('Home');
		await expectAccessible('Home');
	});

	it('shows Luca’s saldo, how many meals it covers, and the links to the statement, Ricarica and Punto LIS', async () => {
		await page.getByRole('link', { name: 'Dettaglio di Luca' }).click();
		await page.waitForURL(`**/consumatori/${lucaId}`);
		await settle(page);
		const card = page.locator('section', { has: page.getByRole('heading', { name: 'Refezione' }) });
		expect((await card.locator('.saldo').textContent())?.replace(/\s+/g, ' ').trim()).toBe(`Saldo ${euro(lucaBalance)}`);
		const meals = Math.floor(lucaBalance / MEAL);
		expect(meals, 'the scenario leaves Luca a few meals').toBeGreaterThan(1);
		const last = nextServiceDays(meals).at(-1)!;
		expect(await card.locator('.forecast').textContent()).toBe(`Copre ${meals} pasti, fino al ${last.slice(8)}/${last.slice(5, 7)}`);
		expect(await card.getByRole('link', { name: /^Ricarica/ }).getAttribute('href')).toBe(`/ricarica?consumer=${lucaId}`);
		expect(await card.getByRole('link', { name: /^Punto LIS/ }).getAttribute('href')).toBe(`/consumatori/${lucaId}/punto-lis/${groupId}`);
		await expectNoSidewaysScroll('the consumer page');
		await expectAccessible('the consumer page');
	});

	it('opens the estratto conto of this month: the top-up, the meals of the closed days, none on the absent day', async () => {
		await page.getByRole('link', { name: 'Estratto conto Refezione' }).click();
		await page.waitForURL(`**/consumatori/${lucaId}/estratto-conto/${groupId}`);
		await settle(page);
		await page.getByRole('heading', { level: 1, name: 'Estratto conto — Luca Rossi' }).waitFor();
		expect(await page.locator('table.statement caption').textContent()).toBe('Movimenti dal 01/11/2026 al 30/11/2026');
		const rows = await rowTexts();
		expect(rows).toContainEqual(['20/11/2026', 'Ricarica pagoPA avviso 3010 0000 0000 0042 85', '+30,00 €', expect.stringMatching(/€$/)]);
		expect(rows.filter((r) => r[1].startsWith('Pasto')).map((r) => [r[0], r[1], r[2]])).toEqual([
			['23/11/2026', 'Pasto 23/11 — Mensa', '-4,20 €'],
			['24/11/2026', 'Pasto 24/11 — Mensa', '-4,20 €'],
			['26/11/2026', 'Pasto 26/11 — Mensa', '-4,20 €']
		]);
		expect(rows.at(-1)![3]).toBe(euro(lucaBalance));
		expect(await page.locator('.totals').textContent()).toContain(`Saldo finale al 30/11/2026${euro(lucaBalance)}`);
		expect(await page.getByRole('link', { name: 'Questo mese' }).getAttribute('aria-current')).toBe('page');
		await screenshot(page, 'estratto-conto-mese');
		await expectNoSidewaysScroll('the estratto conto');
		await expectAccessible('the estratto conto');
	});

	it('filters by period with the date fields, and offers the downloads of that period', async () => {
		await page.locator('#dal').fill('2026-11-24');
		await page.locator('#al').fill('2026-11-24');
		await page.getByRole('button', { name: 'Mostra' }).click();
		await page.waitForURL(/dal=2026-11-24&al=2026-11-24/);
		await settle(page);
		expect(await rowTexts()).toEqual([['24/11/2026', 'Pasto 24/11 — Mensa', '-4,20 €', expect.stringMatching(/€$/)]]);
		const pdf = await page.getByRole('link', { name: 'Scarica PDF' }).getAttribute('href');
		expect(pdf).toBe(`/consumatori/${lucaId}/estratto-conto/${groupId}/pdf?dal=2026-11-24&al=2026-11-24`);
		const csv = await page.request.get((await page.getByRole('link', { name: 'Scarica CSV' }).getAttribute('href'))!);
		expect(csv.status()).toBe(200);
		expect(await csv.text()).toContain('24/11/2026;Pasto 24/11 — Mensa;-4,20;');
		expect((await page.request.get(pdf!)).headers()['content-type']).toBe('application/pdf');

		await page.getByRole('link', { name: 'Anno scolastico' }).click();
		await page.waitForURL(/dal=2026-09-01&al=2027-08-31/);
		await settle(page);
		expect(await page.locator('table.statement caption').textContent()).toBe('Movimenti dal 01/09/2026 al 31/08/2027');
		expect((await rowTexts()).length).toBeGreaterThanOrEqual(4);

		await page.locator('#dal').fill('2026-11-30');
		await page.locator('#al').fill('2026-11-01');
		await page.getByRole('button', { name: 'Mostra' }).click();
		await page.getByRole('alert').filter({ hasText: 'La data iniziale deve precedere quella finale' }).waitFor();
		await expectAccessible('the estratto conto with a wrong period');
	});

	it('filters without JavaScript too: the form is a plain GET', async () => {
		const noScript = await browser.newContext({ baseURL: server.url, viewport: { width: PHONE_WIDTH, height: 740 }, javaScriptEnabled: false, locale: 'it-IT' });
		await noScript.addCookies(await context.cookies());
		const plain = await noScript.newPage();
		await plain.goto(`/consumatori/${lucaId}/estratto-conto/${groupId}`);
		await plain.locator('#dal').fill('2026-11-26');
		await plain.locator('#al').fill('2026-11-26');
		await Promise.all([plain.waitForURL(/dal=2026-11-26&al=2026-11-26/), plain.getByRole('button', { name: 'Mostra' }).click()]);
		expect(await plain.locator('table.statement tbody tr td:nth-child(2)').allTextContents()).toEqual(['Pasto 26/11 — Mensa']);
		await noScript.close();
	});

	it('another child’s statement is Sofia’s own, and nothing went wrong in the page', async () => {
		await gotoHydrated(page, `/consumatori/${sofiaId}/estratto-conto/${groupId}`);
		const rows = await rowTexts();
		expect(rows.some((r) => r[1].startsWith('Ricarica'))).toBe(false);
		expect(rows.at(-1)![3]).toMatch(/^-/);
		expect(problems).toEqual([]);
	});
});
