import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, screenshot, watchProblems } from '../helpers/browser.js';
import { loginOnPage, readStore, waitForControl } from '../helpers/pwa.js';

/*
 * The offline copy in IndexedDB. Maria opens only Home online; then, with no network and the
 * server down, pages she never opened are drawn from the phone: Sofia's Punto LIS card at the
 * tabaccheria, Luca's page, his estratto conto, his days of January (marked there, waiting). A
 * month beyond the copy says so. A link followed inside the app gets there too. With every page
 * of the app closed, the service worker's Background Sync delivers the January mark once the
 * network is back; the day list then shows it registered.
 */

const session = phoneSession({ DAY_CLOSE: 'off' }, { timeoutMs: 15_000 });

const JANUARY_DAY = '2027-01-13';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;
let sofiaId: number;
let groupId: number;
let queuedId: string;

function withDb<T>(read: (db: Database.Database) => T): T {
	const db = new Database(server.dbPath, { readonly: true });
	try {
		return read(db);
	} finally {
		db.close();
	}
}

const banner = () => page.getByRole('status').filter({ hasText: 'Sei offline — dati salvati sul telefono, aggiornati alle' });
const heading = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	withDb((db) => {
		const id = (name: string) => (db.prepare(`SELECT id FROM consumers WHERE given_name = ?`).get(name) as { id: number }).id;
		lucaId = id('Luca');
		sofiaId = id('Sofia');
		groupId = (db.prepare(`SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'`).get() as { id: number }).id;
	});
});

describe('pages drawn from the offline copy', () => {
	it('one online visit of Home keeps both children’s copy on the phone', async () => {
		await loginOnPage(page, 'maria.rossi@example.com');
		await waitForControl(page);
		await expect.poll(async () => (await readStore(page, 'meta')).map((m) => m.key)).toContain('copy');
		const accounts = await readStore(page, 'accounts');
		expect(accounts.map((a) => a.consumerId).sort()).toEqual([lucaId, sofiaId].sort());
		const days = await readStore(page, 'days');
		expect(days.filter((d) => d.consumerId === lucaId).length).toBe(151);
	});

	it('at the tabaccheria with no signal: Sofia’s Punto LIS card, never opened, with its QR and code', async () => {
		await context.setOffline(true);
		await server.halt();
		await page.goto(`/consumatori/${sofiaId}/punto-lis/${groupId}`, { waitUntil: 'load' });
		await heading('Punto LIS — Sofia Rossi');
		await page.getByRole('img', { name: 'Codice QR Punto LIS di Sofia Rossi, servizio Refezione' }).waitFor();
		const code = withDb((db) => (db.prepare(`SELECT code FROM lis_codes WHERE consumer_id = ?`).get(sofiaId) as { code: string }).code);
		expect(await page.locator('#codice-lis').textContent()).toBe(code);
		await banner().waitFor();
		await screenshot(page, 'offline-copy-punto-lis');
		const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(violations.map((v) => v.id), formatViolations(violations)).toEqual([]);
	});

	it('Luca’s page with his saldo, and his estratto conto', async () => {
		await page.goto(`/consumatori/${lucaId}`, { waitUntil: 'load' });
		await heading('Luca Rossi');
		await page.getByText('Saldo').first().waitFor();
		await page.goto(`/consumatori/${lucaId}/estratto-conto/${groupId}`, { waitUntil: 'load' });
		await heading('Estratto conto — Luca Rossi');
		await page.getByText('Movimenti dal 01/10/2026 al 23/11/2026').waitFor();
		// Downloads need the server: not offered offline.
		expect(await page.getByRole('link', { name: 'Scarica PDF' }).count()).toBe(0);
	});

	it('Luca’s days of January: shown, and marked there, waiting for the network', async () => {
		await page.goto(`/consumatori/${lucaId}/giorni?mese=2027-01`, { waitUntil: 'load' });
		await heading('Assenze e pasti in bianco — Luca Rossi');
		await page.getByRole('heading', { level: 2, name: 'gennaio 2027' }).waitFor();
		expect(await page.getByRole('checkbox', { name: 'Assente mercoledì 13 gennaio' }).isChecked()).toBe(false);
		await page.locator(`label[for="assenza-${JANUARY_DAY}"]`).click();
		await expect.poll(() => page.locator(`#esito-${JANUARY_DAY}`).textContent()).toBe('In attesa di invio');
		// Back to 'pending' once the attempt to send it has failed.
		await expect.poll(async () => (await readStore(page, 'outbox')).map((i) => [i.date, i.kind, i.value, i.state])).toEqual([[JANUARY_DAY, 'assenza', true, 'pending']]);
		const outbox = await readStore(page, 'outbox');
		queuedId = String(outbox[0].mutationId);
		await banner().waitFor();
	});

	it('a month beyond the copy says so', async () => {
		await page.goto(`/consumatori/${lucaId}/giorni?mese=2027-06`, { waitUntil: 'load' });
		await heading('Mese non salvato sul telefono');
		await page.getByText('Senza rete si possono consultare i giorni dal 01/10/2026 al 28/02/2027.').waitFor();
	});

	it('a link followed inside the app reaches the page from the phone too', async () => {
		await page.goto('/home', { waitUntil: 'load' });
		await heading('I tuoi figli');
		await page.getByRole('link', { name: 'Assenze e pasti in bianco di Sofia' }).click();
		await heading('Assenze e pasti in bianco — Sofia Rossi');
		expect(new URL(page.url()).pathname).toBe(`/consumatori/${sofiaId}/giorni`);
	});

	it('with the app closed, Background Sync delivers the January mark when the network is back', async () => {
		await page.close();
		// A page of no parent screen: nothing of the app's own sending runs in it.
		page = session.page = await context.newPage();
		problems = watchProblems(page);
		await page.goto('/offline', { waitUntil: 'load' });
		await server.restart();
		await context.setOffline(false);
		const cdp = await context.newCDPSession(page);
		const registrations = new Promise<string>((resolve) =>
			cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
				const mine = e.registrations.find((r) => r.scopeURL.startsWith(server.url));
				if (mine) resolve(mine.registrationId);
			})
		);
		await cdp.send('ServiceWorker.enable');
		const registrationId = await registrations;
		// Chromium may already have fired it on reconnecting; a second dispatch then finds an empty queue.
		await cdp.send('ServiceWorker.dispatchSyncEvent', { origin: server.url, registrationId, tag: 'workbox-background-sync:marks', lastChance: false });
		await expect
			.poll(() => withDb((db) => db.prepare(`SELECT mutation_id, outcome FROM mark_events WHERE consumer_id = ? AND date = ?`).all(lucaId, JANUARY_DAY)), { timeout: 15_000 })
			.toEqual([{ mutation_id: queuedId, outcome: 'applied' }]);
		await cdp.detach();
	});

	it('the day list then shows the mark registered, sent once', async () => {
		await page.goto(`/consumatori/${lucaId}/giorni?mese=2027-01`, { waitUntil: 'networkidle' });
		await expect.poll(() => page.locator(`#esito-${JANUARY_DAY}`).textContent()).toMatch(/^✓\s?Registrata /);
		expect(await page.getByRole('checkbox', { name: 'Assente mercoledì 13 gennaio' }).isChecked()).toBe(true);
		await expect.poll(async () => (await readStore(page, 'outbox')).length).toBe(0);
		expect(withDb((db) => db.prepare(`SELECT count(*) AS n FROM mark_events WHERE consumer_id = ? AND date = ?`).get(lucaId, JANUARY_DAY))).toEqual({ n: 1 });
	});

	it('nothing went wrong in the pages but the network being away', () => {
		expect(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch/.test(p))).toEqual([]);
	});
});
