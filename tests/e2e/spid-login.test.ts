import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { focusIndicator, gotoHydrated, launchBrowser, phoneContext, screenshot, settle, watchProblems } from '../helpers/browser.js';

/*
 * Signing in with SPID through the embedded test provider, and signing in with the keyboard only.
 * Each test has its own browser context (own cookies).
 */

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
	[server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
});
beforeEach(async ({ task, onTestFailed }) => {
	context = await phoneContext(browser, server.url);
	context.setDefaultTimeout(10_000);
	page = await context.newPage();
	problems = watchProblems(page);
	onTestFailed(() => screenshot(page, `failed-${task.name.replace(/\W+/g, '-')}`).catch(() => undefined));
	return () => context.close();
});

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });

describe('SPID login with the test provider', () => {
	it('goes from the Comune’s login page through the test provider to Home, with Tommaso Bianchi', async () => {
		await gotoHydrated(page, '/login/chiusi-della-verna');
		// Nobody may mistake the simulator for the real SPID.
		await visible(page.getByText('Provider di test', { exact: true }));
		await screenshot(page, 'spid-login-chiusi');

		await page.getByRole('link', { name: 'Entra con SPID' }).click();
		const banner = page.getByText('PROVIDER DI TEST');
		await visible(banner);
		expect(new URL(page.url()).origin).not.toBe(server.url);
		await visible(page.getByRole('heading', { name: 'Entra con SPID (test)' }));
		await screenshot(page, 'spid-provider');

		await page.getByRole('button', { name: /^Mario Bianchi/ }).click();
		await page.waitForURL(`${server.url}/home`);
		await settle(page);

		// The fiscal code SPID vouched for is the applicant's: his child is there without a code.
		const card = page.locator('article').filter({ has: page.getByRole('heading', { name: 'Tommaso Bianchi' }) });
		await visible(card);
		const facts = await card.locator('dt, dd').allTextContents();
		expect(facts.map((t) => t.trim())).toEqual(['Scuola', 'Scuola primaria di Chiusi della Verna', 'Classe', '2ª A']);
		await visible(page.getByText('Mario Bianchi', { exact: true }));
		await screenshot(page, 'spid-home');
		expect(problems).toEqual([]);
	});
});

describe('login with the keyboard only', () => {
	it('tabs to e-mail, password and Accedi in order, and Enter submits', async () => {
		await gotoHydrated(page, '/login/mazze');

		// From the top of the page, Tab first passes the skip link and the header's link.
		const focused = () =>
			page.evaluate(() => {
				const el = document.activeElement as HTMLElement | null;
				return el ? el.id || `${el.tagName.toLowerCase()}: ${el.textContent?.trim()}` : '';
			});
		const before: string[] = [];
		for (let i = 0; i < 6; i++) {
			await page.keyboard.press('Tab');
			const now = await focused();
			if (now === 'email') break;
			before.push(now);
		}
		expect(await focused(), `Tab never reached the e-mail field; it went through: ${before.join(' → ')}`).toBe('email');
		expect(before).toEqual(['a: Vai al contenuto', 'a: Cambia Comune']);
		expect(await focusIndicator(page), 'the focused e-mail field shows no focus').not.toBe('');

		await page.keyboard.type('maria.rossi@example.com');
		await page.keyboard.press('Tab');
		expect(await focused()).toBe('password');
		expect(await focusIndicator(page), 'the focused password field shows no focus').not.toBe('');
		await page.keyboard.type('Password-sbagliata-1');
		await page.keyboard.press('Tab');
		expect(await focused()).toBe('button: Accedi');
		expect(await focusIndicator(page), 'the focused Accedi button shows no focus').not.toBe('');
		await screenshot(page, 'keyboard-focus-accedi');

		await page.keyboard.press('Enter');
		const problem = page.getByRole('alert').filter({ hasText: 'E-mail o password non corretti.' });
		await visible(problem);
		expect(new URL(page.url()).pathname).toBe('/login/mazze');
		await screenshot(page, 'keyboard-login-errore');

		// Enter in the password field submits as well.
		await page.locator('#password').focus();
		await page.keyboard.press('Enter');
		await visible(problem);
		expect(new URL(page.url()).pathname).toBe('/login/mazze');
		expect(problems).toEqual([]);
	});
});
