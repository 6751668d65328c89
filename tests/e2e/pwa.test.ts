import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { startRewritingProxy } from '../helpers/proxy.js';
import { loginOnPage, readStore, waitForControl } from '../helpers/pwa.js';
import { axeViolations, formatViolations, gotoHydrated, phoneContext, screenshot } from '../helpers/browser.js';

/*
 * The installable, offline-capable parent app: the manifest and its icons; after one online visit
 * the service worker controls the page; with no network and no server, Home and the Punto LIS card
 * reload from the phone with the offline banner, a page never opened (Ricarica) says it needs the
 * connection; logout forgets the pages kept on the phone.
 */

const session = phoneSession({ DAY_CLOSE: 'off' }, { timeoutMs: 15_000 });

const PAGES_CACHE = 'mensa-pagine';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;
let groupId: number;

const loginAsMaria = (p: Page) => loginOnPage(p, 'maria.rossi@example.com');

const cachedPaths = (p: Page) =>
	p.evaluate(async (name) => {
		if (!(await caches.has(name))) return [];
		const keys = await (await caches.open(name)).keys();
		return keys.map((r) => new URL(r.url).pathname);
	}, PAGES_CACHE);

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	const db = new Database(server.dbPath, { readonly: true });
	lucaId = (db.prepare(`SELECT id FROM consumers WHERE given_name = 'Luca'`).get() as { id: number }).id;
	groupId = (db.prepare(`SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'`).get() as { id: number }).id;
	db.close();
});

describe('installable, offline parent app', () => {
	it('serves a manifest in Italian with every icon as a PNG, linked from the pages', async () => {
		const response = await fetch(`${server.url}/manifest.webmanifest`);
		expect(response.status).toBe(200);
		const manifest = (await response.json()) as Record<string, unknown> & { icons: { src: string; sizes: string; type: string; purpose?: string }[] };
		expect(manifest).toMatchObject({
			name: 'Mensa Aperta — servizi scolastici',
			short_name: 'Mensa',
			lang: 'it',
			display: 'standalone',
			start_url: '/home',
			id: '/home',
			scope: '/',
			theme_color: '#0066cc',
			background_color: '#ffffff'
		});
		expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`)).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable', '180x180 any']));
		for (const icon of manifest.icons) {
			const res = await fetch(new URL(icon.src, server.url));
			expect(`${icon.src} ${res.status} ${res.headers.get('content-type')}`).toBe(`${icon.src} 200 image/png`);
		}

		await gotoHydrated(page, '/login/mazze');
		expect(await page.locator('link[rel=manifest]').getAttribute('href')).toMatch(/manifest\.webmanifest$/);
		expect(await page.locator('link[rel=apple-touch-icon]').getAttribute('href')).toMatch(/apple-touch-icon-180\.png$/);
		expect(await page.locator('meta[name=theme-color]').getAttribute('content')).toBe('#0066cc');
	});

	it('logout forgets the pages kept on the phone', async () => {
		// A context of its own: its service worker and caches are not the ones the offline test uses.
		const other = await phoneContext(browser, server.url);
		try {
			const p = await other.newPage();
			await loginAsMaria(p);
			await waitForControl(p);
			await gotoHydrated(p, '/home');
			expect(await cachedPaths(p)).toContain('/home');
			await p.getByRole('button', { name: 'Logout' }).click();
			await p.waitForURL('**/login/mazze?uscito');
			expect(await cachedPaths(p)).not.toContain('/home');
		} finally {
			await other.close();
		}
	});

	it('a new version waits for "Aggiorna", only then reloads, and keeps the marks not yet sent', async () => {
		// A second deployment: the same worker with one byte more is a new version to the browser.
		let deployed = false;
		const proxy = await startRewritingProxy(server.url, (path, body) => (deployed && path === '/sw.js' ? `${body}\n// versione successiva\n` : null));
		const other = await phoneContext(browser, proxy.url);
		try {
			const p = await other.newPage();
			await loginAsMaria(p);
			await waitForControl(p);
			// A mark the server has not answered yet: its requests fail, it waits in the outbox.
			await other.route('**/api/trpc/meals.mark*', (route) => route.abort('failed'));
			await gotoHydrated(p, `/consumatori/${lucaId}/giorni`);
			await p.locator('label[for="assenza-2026-11-30"]').click();
			await expect.poll(() => p.locator('#esito-2026-11-30').textContent()).toBe('In attesa di invio');
			const waiting = await readStore(p, 'outbox');
			expect(waiting.map((i) => [i.date, i.kind, i.value])).toEqual([['2026-11-30', 'assenza', true]]);
			deployed = true;
			await p.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
			await p.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());

			const prompt = p.getByRole('status').filter({ hasText: 'Nuova versione disponibile' });
			await prompt.waitFor();
			// Installed and waiting, the page untouched until the guardian chooses.
			expect(await p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

			const reloaded = p.waitForEvent('load');
			await prompt.getByRole('button', { name: 'Aggiorna' }).focus();
			await p.keyboard.press('Enter');
			await reloaded;
			expect(await p.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBeUndefined();
			await waitForControl(p);
			expect(await p.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.waiting)).toBeNull();
			expect(await p.getByText('Nuova versione disponibile').count()).toBe(0);

			// The same mark, with the same id, still waiting; sent once the network lets it through.
			await expect.poll(() => p.locator('#esito-2026-11-30').textContent()).toBe('In attesa di invio');
			expect((await readStore(p, 'outbox')).map((i) => i.mutationId)).toEqual(waiting.map((i) => i.mutationId));
			await other.unroute('**/api/trpc/meals.mark*');
			await p.evaluate(() => window.dispatchEvent(new Event('focus')));
			await expect.poll(() => p.locator('#esito-2026-11-30').textContent()).toMatch(/^✓\s?Registrata /);
			const db = new Database(server.dbPath, { readonly: true });
			const recorded = db.prepare(`SELECT mutation_id AS id FROM mark_events WHERE consumer_id = ? AND date = '2026-11-30'`).all(lucaId);
			db.close();
			expect(recorded).toEqual([{ id: waiting[0].mutationId }]);
		} finally {
			await other.close();
			await proxy.close();
		}
	});

	it('after one online visit the service worker controls the page', async () => {
		await loginAsMaria(page);
		await waitForControl(page);
		// Visited while controlled: kept for offline reading.
		await gotoHydrated(page, `/consumatori/${lucaId}/punto-lis/${groupId}`);
		await gotoHydrated(page, `/consumatori/${lucaId}/giorni`);
		await gotoHydrated(page, '/home');
		await page.getByRole('heading', { level: 1, name: 'I tuoi figli' }).waitFor();
		expect(await cachedPaths(page)).toEqual(expect.arrayContaining(['/home', `/consumatori/${lucaId}/punto-lis/${groupId}`, `/consumatori/${lucaId}/giorni`]));
		// Reached by a client-side navigation (data, not HTML): kept all the same.
		await page.getByRole('link', { name: 'Dettaglio di Luca' }).click();
		await page.waitForURL(`**/consumatori/${lucaId}`);
		await expect.poll(() => cachedPaths(page)).toContain(`/consumatori/${lucaId}`);
		await gotoHydrated(page, '/home');
		// Online, no banner.
		expect(await page.getByText(/^Sei offline/).count()).toBe(0);
	});

	it('with no network and no server, Home, the day list and the Punto LIS card reload from the phone with the offline banner', async () => {
		await context.setOffline(true);
		await server.halt();

		await page.reload({ waitUntil: 'load' });
		await page.getByRole('heading', { level: 1, name: 'I tuoi figli' }).waitFor();
		await expect.poll(() => page.getByRole('status').filter({ hasText: 'Sei offline' }).textContent()).toMatch(/^Sei offline — dati aggiornati alle 12:\d\d$/);
		await expect.poll(() => page.getByText('Luca', { exact: false }).count()).toBeGreaterThan(0);
		await screenshot(page, 'pwa-home-offline');

		await page.goto(`/consumatori/${lucaId}/punto-lis/${groupId}`, { waitUntil: 'load' });
		await page.getByRole('img', { name: 'Codice QR Punto LIS di Luca Rossi, servizio Refezione' }).waitFor();
		await page.getByRole('status').filter({ hasText: 'Sei offline' }).waitFor();

		await page.goto(`/consumatori/${lucaId}/giorni`, { waitUntil: 'load' });
		await page.getByRole('heading', { level: 1, name: 'Assenze e pasti in bianco — Luca Rossi' }).waitFor();
		await page.getByRole('checkbox', { name: /^Assente venerdì 27 novembre/ }).waitFor();
		expect(await page.locator('li.day').count()).toBe(30);
		await page.getByRole('status').filter({ hasText: 'Sei offline' }).waitFor();

		await page.goto(`/consumatori/${lucaId}`, { waitUntil: 'load' });
		await page.getByRole('heading', { level: 1, name: 'Luca Rossi' }).waitFor();
	});

	// Before the offline shell's test: a login page, even offline, forgets the pages kept.
	it('the next morning, the day list kept on the phone is judged as of now: today is Tuesday, its cutoff past', async () => {
		// Drawn on Monday at 12:00 (the server's clock); the phone is now 22 hours later, still offline.
		await context.clock.setFixedTime(Date.now() + 22 * 3_600_000);
		await page.goto(`/consumatori/${lucaId}/giorni`, { waitUntil: 'load' });
		await page.getByRole('heading', { level: 1, name: 'Assenze e pasti in bianco — Luca Rossi' }).waitFor();
		const label = (date: string) => page.locator(`#giorno-${date} .day-label`).textContent();
		await expect.poll(() => label('2026-11-24')).toContain('Oggi');
		expect(await label('2026-11-23')).not.toContain('Oggi');
		await page.getByText('Le modifiche per oggi sono chiuse').waitFor();
		expect(await page.locator('#assenza-2026-11-24').count()).toBe(0);
		expect(await page.locator('#assenza-2026-11-25').count()).toBe(1);
		expect(await page.getByRole('status').filter({ hasText: 'Sei offline' }).textContent()).toMatch(/^Sei offline — dati aggiornati il 23\/11\/2026 alle 12:\d\d$/);
	});

	it('a page that needs the connection says so, from the offline shell', async () => {
		for (const path of ['/ricarica', '/login/mazze']) {
			await page.goto(path, { waitUntil: 'load' });
			await page.getByRole('heading', { level: 1, name: 'Sei offline' }).waitFor();
			await page.getByText('Questa pagina non è disponibile senza connessione.').waitFor();
			expect(new URL(page.url()).pathname).toBe(path);
			// Styled and hydrated at any depth: the shell's assets come from the precache by absolute URL.
			expect(await page.getByRole('button', { name: 'Riprova' }).evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
		}
		await screenshot(page, 'pwa-offline-shell');
		const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(violations.map((v) => v.id), `axe on the offline shell:\n${formatViolations(violations)}`).toEqual([]);
	});

	it('nothing went wrong in the page but the network being away', () => {
		// Offline, Chromium logs the failed fetches itself; anything else is a bug.
		expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch/.test(p))).toEqual([]);
	});
});
