import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { signedIn } from '../helpers/client.js';
import { axeViolations, formatViolations, gotoHydrated } from '../helpers/browser.js';

/*
 * Every parent page, as Maria sees it on her phone with the service worker in charge: axe finds
 * nothing serious; the day list is worked by keyboard, each box naming its day; and after all of
 * it, nothing on the phone (IndexedDB, Cache Storage) holds Sofia's special diet, a health datum
 * the parent pages never show. The test clock is Monday 23 November 2026, 12:00, past the cutoff.
 */

const session = phoneSession({ DAY_CLOSE: 'off' }, { timeoutMs: 15_000 });

// Set by the ufficio before the visits; no build asset contains it (the precache holds the whole
// client, whose back-office hint mentions «senza glutine»).
const DIET = 'senza glutine e senza uova';
const NEXT_MONDAY = '2026-11-30';
const FRIDAY = '2026-11-27';
const WEEKDAYS = 'lunedì|martedì|mercoledì|giovedì|venerdì';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let sofiaId: number;
let groupId: number;
let paymentId: number;

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	const db = new Database(server.dbPath, { readonly: true });
	sofiaId = (db.prepare(`SELECT id FROM consumers WHERE given_name = 'Sofia'`).get() as { id: number }).id;
	groupId = (db.prepare(`SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'`).get() as { id: number }).id;
	db.close();

	const ufficio = await signedIn(server.url, 'ufficio@mazze.example.it');
	expect(await ufficio.trpc.office.setDietLabel.mutate({ consumerId: sofiaId, dietLabel: DIET })).toMatchObject({ status: 'saved', dietLabel: DIET });
	// A payment of Maria's, for the pages Checkout sends her back to.
	const maria = await signedIn(server.url, 'maria.rossi@example.com');
	const avviso = await maria.trpc.payments.createCart.mutate({ lines: [{ consumerId: sofiaId, serviceGroupId: groupId, amountCents: 2_000 }], channel: 'pagopa_avviso', declaration: true });
	paymentId = avviso.paymentId;

	await gotoHydrated(page, '/login/mazze');
	await page.locator('#email').fill('maria.rossi@example.com');
	await page.locator('#password').fill('MensaAperta-2026');
	await page.getByRole('button', { name: 'Accedi' }).click();
	await page.waitForURL('**/home');
	// The worker installed by this visit takes over the page: every page below goes through it.
	await page.waitForFunction(() => navigator.serviceWorker.controller?.scriptURL.endsWith('/sw.js'), null, { timeout: 30_000 });
});

const PAGES: { name: string; path: () => string }[] = [
	{ name: 'Home', path: () => '/home' },
	{ name: 'Consumatori', path: () => '/consumatori' },
	{ name: 'the consumer page', path: () => `/consumatori/${sofiaId}` },
	{ name: 'the day list', path: () => `/consumatori/${sofiaId}/giorni` },
	{ name: 'the day list of next month', path: () => `/consumatori/${sofiaId}/giorni?mese=2026-12` },
	{ name: 'the estratto conto', path: () => `/consumatori/${sofiaId}/estratto-conto/${groupId}` },
	{ name: 'the Punto LIS card', path: () => `/consumatori/${sofiaId}/punto-lis/${groupId}` },
	{ name: 'Ricarica', path: () => '/ricarica' },
	{ name: 'the Ricarica informativa', path: () => '/ricarica/informativa' },
	{ name: 'the Ricarica outcome: ok', path: () => `/ricarica/esito/ok?pagamento=${paymentId}` },
	{ name: 'the Ricarica outcome: annullato', path: () => `/ricarica/esito/annullato?pagamento=${paymentId}` },
	{ name: 'the Ricarica outcome: errore', path: () => `/ricarica/esito/errore?pagamento=${paymentId}` },
	{ name: 'Profilo', path: () => '/profilo' },
	{ name: 'Impostazioni', path: () => '/impostazioni' },
	{ name: 'the offline shell', path: () => '/offline' }
];

describe('every parent page passes axe (WCAG 2.1 A/AA) with no serious or critical violation', () => {
	it.each(PAGES)('$name', async ({ path }) => {
		await gotoHydrated(page, path());
		await page.getByRole('heading', { level: 1 }).waitFor();
		const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(serious.map((v) => v.id), `axe on ${path()}:\n${formatViolations(serious)}`).toEqual([]);
	});
});

/** Tab from the focused element until `done` says stop (or the page has been gone round): the ids reached. */
async function tabUntil(done: (id: string) => boolean, limit = 400): Promise<string[]> {
	const reached: string[] = [];
	for (let i = 0; i < limit; i++) {
		await page.keyboard.press('Tab');
		const id = await page.evaluate(() => document.activeElement?.id ?? '');
		reached.push(id);
		if (done(id)) break;
	}
	return reached;
}

describe('the day list by keyboard and screen reader', () => {
	it('names the day in each box’s accessible name', async () => {
		await gotoHydrated(page, `/consumatori/${sofiaId}/giorni`);
		await page.getByRole('checkbox', { name: 'Assente lunedì 30 novembre', exact: true }).waitFor();
		await page.getByRole('checkbox', { name: 'Pasto in bianco venerdì 27 novembre', exact: true }).waitFor();
		// Every box, as the accessibility tree gives it to a screen reader.
		const snapshot = await page.locator('ol.day-list').ariaSnapshot();
		const names = [...snapshot.matchAll(/checkbox "([^"]*)"/g)].map((m) => m[1]);
		expect(names.length).toBe(await page.locator('ol.day-list input[type=checkbox]').count());
		expect(names.length).toBeGreaterThan(0);
		const pattern = new RegExp(`^(Assente|Pasto in bianco) (${WEEKDAYS}) \\d{1,2} novembre$`);
		expect(names.filter((n) => !pattern.test(n))).toEqual([]);
	});

	it('reaches every toggle with Tab', async () => {
		const toggles = await page.locator('ol.day-list input[type=checkbox]:not(:disabled)').evaluateAll((els) => els.map((e) => e.id));
		expect(toggles).toContain(`assenza-${NEXT_MONDAY}`);
		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		const last = toggles[toggles.length - 1];
		const reached = await tabUntil((id) => id === last);
		expect(toggles.filter((id) => !reached.includes(id))).toEqual([]);
	});

	it('marks a day Assente and another Pasto in bianco with Space, confirmed by the server', async () => {
		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		await tabUntil((id) => id === `assenza-${NEXT_MONDAY}`);
		await page.keyboard.press('Space');
		expect(await page.getByRole('checkbox', { name: 'Assente lunedì 30 novembre', exact: true }).isChecked()).toBe(true);
		await expect.poll(() => page.locator(`#esito-${NEXT_MONDAY}`).textContent()).toMatch(/Registrata alle 12:\d\d:\d\d: assente\.$/);

		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		await tabUntil((id) => id === `bianco-${FRIDAY}`);
		await page.keyboard.press('Space');
		expect(await page.getByRole('checkbox', { name: 'Pasto in bianco venerdì 27 novembre', exact: true }).isChecked()).toBe(true);
		await expect.poll(() => page.locator(`#esito-${FRIDAY}`).textContent()).toMatch(/Registrata alle 12:\d\d:\d\d: pasto in bianco\.$/);
	});
});

/** Every IndexedDB store of the origin, each as JSON, keyed "database/store". */
const readIndexedDb = () =>
	page.evaluate(async () => {
		const out: Record<string, string> = {};
		for (const info of await indexedDB.databases()) {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const open = indexedDB.open(info.name!);
				open.onsuccess = () => resolve(open.result);
				open.onerror = () => reject(open.error);
			});
			for (const store of Array.from(db.objectStoreNames)) {
				const rows = await new Promise<unknown[]>((resolve, reject) => {
					const req = db.transaction(store).objectStore(store).getAll();
					req.onsuccess = () => resolve(req.result);
					req.onerror = () => reject(req.error);
				});
				out[`${info.name}/${store}`] = JSON.stringify(rows);
			}
			db.close();
		}
		return out;
	});

/** Every Cache Storage entry's body as text, keyed "cache URL". */
const readCaches = () =>
	page.evaluate(async () => {
		const out: Record<string, string> = {};
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			for (const request of await cache.keys()) out[`${name} ${request.url}`] = (await (await cache.match(request))?.text()) ?? '';
		}
		return out;
	});

const holding = (store: Record<string, string>, text: string) => Object.keys(store).filter((k) => store[k].toLowerCase().includes(text.toLowerCase()));

describe('no health data on the phone', () => {
	it('after every parent page, neither IndexedDB nor the caches hold Sofia’s special diet', async () => {
		// Reached by client-side navigation too: SvelteKit's data requests are kept as well.
		await gotoHydrated(page, '/home');
		await page.getByRole('link', { name: 'Dettaglio di Sofia' }).click();
		await page.waitForURL(`**/consumatori/${sofiaId}`);
		await page.getByRole('link', { name: /^Assenze e pasti in bianco/ }).first().click();
		await page.waitForURL(`**/consumatori/${sofiaId}/giorni`);
		await page.waitForLoadState('networkidle');

		// The reading works: Sofia herself is on the phone, in both (the offline copy is written once the page is up).
		await expect.poll(async () => holding(await readIndexedDb(), 'Sofia').length).toBeGreaterThan(0);
		const [idb, cached] = [await readIndexedDb(), await readCaches()];
		expect(holding(cached, 'Sofia').length, `caches: ${Object.keys(cached).join(', ')}`).toBeGreaterThan(0);
		expect(Object.keys(cached).filter((k) => k.includes(`/consumatori/${sofiaId}/giorni`)).length).toBeGreaterThan(0);
		expect(holding(idb, DIET), 'IndexedDB stores holding the diet').toEqual([]);
		expect(holding(cached, DIET), 'cache entries holding the diet').toEqual([]);
	});

	it('ran without script errors', () => {
		expect(problems).toEqual([]);
	});
});
