import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import jsQR from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle, watchProblems } from '../helpers/browser.js';

/*
 * Maria shows Luca's Punto LIS QR at the tabaccheria: full screen, readable by a scanner, closed
 * with Esc. A tester then plays the retailer in the LIS simulator and pays 20,00 €: Luca's saldo
 * goes up by exactly that.
 */

const session = phoneSession({ DAY_CLOSE: 'off' });

const PHONE_WIDTH = 360;

let server: TestServer;
let db: Database.Database;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;
let groupId: number;
let code: string;
let saldoBefore: string;

const balance = () =>
	(db.prepare(`SELECT balance_cents AS b FROM ledger_accounts WHERE kind = 'prepaid' AND consumer_id = ? AND service_group_id = ?`).get(lucaId, groupId) as { b: number } | undefined)?.b ?? 0;
const saldo = () => page.locator(`section[aria-labelledby="gruppo-${groupId}"] .saldo .amount`).textContent();

/** A screenshot of the screen around the QR, decoded by a real QR reader: what a retailer's scanner would see. */
async function qrOnScreen(): Promise<string | undefined> {
	const box = (await page.locator('.lis-fs-qr').boundingBox())!;
	const clip = { x: Math.max(0, box.x - 16), y: Math.max(0, box.y - 16), width: box.width + 32, height: box.height + 32 };
	const png = (await page.screenshot({ clip })).toString('base64');
	// Decoded to pixels by the page's own canvas (no PNG library here); the data: URL is allowed by the CSP.
	const { width, height, pixels } = await page.evaluate(async (src) => {
		const img = new Image();
		img.src = `data:image/png;base64,${src}`;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = img.naturalWidth;
		canvas.height = img.naturalHeight;
		const ctx = canvas.getContext('2d')!;
		ctx.drawImage(img, 0, 0);
		return { width: canvas.width, height: canvas.height, pixels: Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data) };
	}, png);
	return jsQR(Uint8ClampedArray.from(pixels), width, height)?.data;
}

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	db = new Database(server.dbPath, { readonly: true });
	lucaId = (db.prepare(`SELECT id FROM consumers WHERE given_name = 'Luca'`).get() as { id: number }).id;
	groupId = (db.prepare(`SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'`).get() as { id: number }).id;
});
afterAll(() => db?.close());

describe('Punto LIS on a phone (360×740)', () => {
	it('Maria opens Luca’s Punto LIS card from his page: QR, code, instructions', async () => {
		await gotoHydrated(page, '/login/mazze');
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await gotoHydrated(page, `/consumatori/${lucaId}`);
		saldoBefore = (await saldo())!.trim();

		await page.getByRole('link', { name: /^Punto LIS\b.*Refezione di Luca$/ }).click();
		await page.waitForURL(`**/consumatori/${lucaId}/punto-lis/${groupId}`);
		await settle(page);
		await page.getByRole('heading', { level: 1, name: 'Punto LIS — Luca Rossi' }).waitFor();
		await page.getByRole('img', { name: 'Codice QR Punto LIS di Luca Rossi, servizio Refezione' }).waitFor();
		await page.getByText('comunicalo all’esercente').waitFor();
		code = (await page.locator('#codice-lis').textContent())!.trim();
		expect(code).toBe((db.prepare(`SELECT code FROM lis_codes WHERE consumer_id = ?`).get(lucaId) as { code: string }).code);
		expect(await page.getByRole('link', { name: 'Scarica PDF' }).getAttribute('href')).toBe(`/consumatori/${lucaId}/punto-lis/${groupId}/scheda.pdf`);

		await screenshot(page, 'punto-lis');
		await expectNoSidewaysScroll('the Punto LIS page');
		const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(violations.map((v) => v.id), `axe on the Punto LIS page:\n${formatViolations(violations)}`).toEqual([]);
	});

	it('shows the QR full screen, readable by a scanner, keeps focus inside and closes with Esc', async () => {
		const opener = page.getByRole('button', { name: 'Mostra a schermo intero' });
		await opener.click();
		const dialog = page.getByRole('dialog', { name: 'Punto LIS — Luca Rossi — Refezione' });
		await dialog.waitFor({ state: 'visible' });
		const fullscreen = await page.evaluate(() => document.fullscreenElement?.getAttribute('role') ?? null);
		// Chromium grants the Fullscreen API to a click; where it would not, the overlay alone covers the screen.
		expect(fullscreen === 'dialog' || (await dialog.boundingBox())!.width >= PHONE_WIDTH).toBe(true);
		const close = dialog.getByRole('button', { name: 'Chiudi' });
		await expect.poll(() => close.evaluate((el) => el === document.activeElement)).toBe(true);
		await page.keyboard.press('Tab');
		expect(await close.evaluate((el) => el === document.activeElement)).toBe(true);
		await page.keyboard.press('Shift+Tab');
		expect(await close.evaluate((el) => el === document.activeElement)).toBe(true);

		await screenshot(page, 'punto-lis-schermo-intero');
		expect(await qrOnScreen()).toBe(code);
		const violations = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(violations.map((v) => v.id), `axe on the full-screen QR:\n${formatViolations(violations)}`).toEqual([]);

		await page.keyboard.press('Escape');
		await dialog.waitFor({ state: 'detached' });
		await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
		await expect.poll(() => opener.evaluate((el) => el === document.activeElement)).toBe(true);
	});

	it('a tester pays 20,00 € in the LIS simulator, and Luca’s saldo shows it', async () => {
		const before = balance();
		const tester = await browser.newContext({ baseURL: server.url, viewport: { width: PHONE_WIDTH, height: 740 }, locale: 'it-IT' });
		const till = await tester.newPage();
		const tillProblems = watchProblems(till);
		await till.goto('/simulatore-lis', { waitUntil: 'networkidle' });
		await till.getByRole('heading', { level: 1, name: 'Simulatore — nessun pagamento reale' }).waitFor();
		await till.getByLabel('Codice Punto LIS').fill(code);
		await till.getByLabel('Importo in euro').fill('20,00');
		await till.getByRole('button', { name: 'Paga al Punto LIS' }).click();
		await till.getByText('Ricarica di 20,00 € accreditata a Luca Rossi — Refezione').waitFor();
		expect(tillProblems).toEqual([]);
		await tester.close();

		expect(balance()).toBe(before + 2000);
		await gotoHydrated(page, `/consumatori/${lucaId}`);
		const cents = (text: string) => Number(text.replace(/[^\d,-]/g, '').replace(',', ''));
		expect(cents((await saldo())!.trim())).toBe(cents(saldoBefore) + 2000);
		expect(problems).toEqual([]);
	});
});
