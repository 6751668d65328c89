/**
 * The parent app's budgets on a slow phone (issue 6): headless Chromium (/usr/bin/chromium) at a
 * 360 px phone viewport, CPU slowed ×4 and Lighthouse's slow 4G (150 ms, 1.6 Mbit/s down, 750
 * kbit/s up) through the DevTools protocol (bench/browser-perf.ts), against the real test build
 * as its own process (bench/server-process.ts: demo seed, clock at Monday 23 November 2026 noon).
 *
 *   npx tsx bench/pwa.ts        (npm run bench runs it with the others; builds build-d/ when stale)
 *   BENCH_SKIP_BUILD=1 BENCH_BUILD_DIR=build-x BENCH_RUNS=3 npx tsx bench/pwa.ts
 *
 * 1. Home, first load: Maria's session cookie in a new context (empty HTTP cache, no service
 *    worker yet). Every script the page fetches, gzip -9 of each body (zlib), summed; and LCP.
 * 2. The day list reloaded with no network and the server stopped, from the service worker and
 *    IndexedDB: navigation start to the first frame painted with a day row (network not slowed).
 * 3. Ticking and unticking Assente on future days (by tap and by keyboard): input event to the
 *    row showing "In attesa di invio" in the DOM, read in the page; and to the server's answer.
 * Medians over BENCH_RUNS runs (default 5). A figure over its target is reported, not fatal.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, phoneContext } from '../tests/helpers/browser.js';
import { printFigure, writeResult, type Figure } from './common.js';
import { ensureTestBuild, startBenchServer } from './server-process.js';
import { armToggle, collectScripts, CPU_SLOWDOWN, FIRST_DAY_PROBE, largestContentfulPaint, median, NO_NETWORK, readFirstDay, SLOW_4G, slowPhone, toggleResult, type Script } from './browser-perf.js';

const BUILD_DIR = process.env.BENCH_BUILD_DIR ?? 'build-d';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SEED_NOW = '2026-11-23T11:00:00Z';
const TARGET_JS_KB = 100;
const TARGET_LCP_MS = 2_500;
const TARGET_OFFLINE_MS = 500;
const TARGET_TOGGLE_MS = 50;

async function login(page: Page) {
	await page.goto('/login/mazze', { waitUntil: 'networkidle' });
	await page.locator('#email').fill('maria.rossi@example.com');
	await page.locator('#password').fill('MensaAperta-2026');
	await page.getByRole('button', { name: 'Accedi' }).click();
	await page.waitForURL('**/home');
}

/** The worker installed by the first visit takes over the page (clientsClaim). */
async function waitForControl(page: Page) {
	for (let i = 0; i < 300; i++) {
		if (await page.evaluate(() => navigator.serviceWorker.controller !== null)) return;
		await page.waitForTimeout(100);
	}
	throw new Error('the service worker never controlled the page');
}

async function homeFirstLoad(browser: Browser, url: string, cookies: Awaited<ReturnType<BrowserContext['cookies']>>) {
	const context = await phoneContext(browser, url);
	try {
		await context.addCookies(cookies);
		const page = await context.newPage();
		await slowPhone(page);
		const scripts = collectScripts(page);
		await page.goto('/home', { waitUntil: 'networkidle' });
		if (!(await page.getByRole('heading', { level: 1, name: 'I tuoi figli' }).isVisible())) throw new Error(`Home not shown: ${page.url()}`);
		const lcp = await largestContentfulPaint(page);
		return { scripts: await scripts(), lcp };
	} finally {
		await context.close();
	}
}

async function main() {
	ensureTestBuild(BUILD_DIR, (line) => console.log(`pwa: ${line}`));
	const dataDir = mkdtempSync(join(tmpdir(), 'mensa-bench-pwa-'));
	const server = await startBenchServer(BUILD_DIR, dataDir, { MENSA_TEST_NOW: SEED_NOW, DAY_CLOSE: 'off' });
	const browser = await launchBrowser();
	try {
		const db = new Database(join(dataDir, 'mensa.db'), { readonly: true });
		const lucaId = (db.prepare(`SELECT id FROM consumers WHERE given_name = 'Luca'`).get() as { id: number }).id;
		db.close();
		console.log(`pwa: CPU ×${CPU_SLOWDOWN}, slow 4G (${SLOW_4G.latency} ms, ${(SLOW_4G.downloadThroughput * 8) / 1e6} Mbit/s down), 360 px phone, ${RUNS} runs; server ${server.url}`);

		const context = await phoneContext(browser, server.url);
		context.setDefaultTimeout(30_000);
		const page = await context.newPage();
		await login(page);
		await waitForControl(page);

		// ——— 1. Home, first load ———
		const loads: { scripts: Script[]; lcp: number }[] = [];
		for (let i = 0; i < RUNS; i++) loads.push(await homeFirstLoad(browser, server.url, await context.cookies()));
		const jsGzip = loads.map((l) => l.scripts.reduce((s, f) => s + f.gzipBytes, 0));
		const jsWire = loads.map((l) => l.scripts.reduce((s, f) => s + f.transferredBytes, 0));
		const lcps = loads.map((l) => l.lcp);
		console.log(`  Home scripts (run 1): ${loads[0].scripts.map((s) => `${s.path.split('/').pop()} ${(s.gzipBytes / 1024).toFixed(1)}`).join(', ')}`);

		// ——— 3. Toggling a day (online, slowed) ———
		const cdp = await slowPhone(page);
		await page.goto(`/consumatori/${lucaId}/giorni`, { waitUntil: 'networkidle' });
		const open = await page.locator('input[id^="assenza-"]:not(:disabled)').evaluateAll((els) => els.map((el) => el.id.slice('assenza-'.length)));
		const toggles: { date: string; on: boolean; by: string; shown: number; checked: boolean; confirmed: number }[] = [];
		for (const on of [true, false]) {
			for (const date of open.slice(0, 5)) {
				await armToggle(page, date);
				const by = toggles.length % 2 ? 'keyboard' : 'tap';
				if (by === 'tap') await page.locator(`label[for="assenza-${date}"]`).click();
				else {
					await page.locator(`#assenza-${date}`).focus();
					await page.keyboard.press('Space');
				}
				toggles.push({ date, on, by, ...(await toggleResult(page)) });
			}
		}
		const shown = toggles.map((t) => t.shown);

		// ——— 2. Offline reload of the day list ———
		await context.setOffline(true);
		await cdp.send('Network.emulateNetworkConditions', NO_NETWORK);
		await server.stop();
		await page.addInitScript(FIRST_DAY_PROBE);
		const reloads = [];
		for (let i = 0; i < RUNS; i++) {
			await page.reload({ waitUntil: 'load' });
			const firstDay = await readFirstDay(page);
			const banner = await page.getByText(/^Sei offline — dati aggiornati alle/).waitFor().then(() => true, () => false);
			reloads.push({ ...firstDay, banner });
		}

		const kb = (b: number) => Math.round(b / 102.4) / 10;
		const figures: Figure[] = [
			{ name: 'Home first load: JS, gzip', value: kb(median(jsGzip)), unit: 'KB', target: TARGET_JS_KB, better: 'lower' },
			{ name: `Home first load: JS on the wire (${[...new Set(loads[0].scripts.map((f) => f.encoding))].join(', ')})`, value: kb(median(jsWire)), unit: 'KB' },
			{ name: 'Home first load: LCP, median', value: Math.round(median(lcps)), unit: 'ms', target: TARGET_LCP_MS, better: 'lower' },
			{ name: 'Home first load: LCP, max', value: Math.round(Math.max(...lcps)), unit: 'ms' },
			{ name: 'day list offline: first day painted, median', value: Math.round(median(reloads.map((r) => r.frame))), unit: 'ms', target: TARGET_OFFLINE_MS, better: 'lower' },
			{ name: 'day list offline: first day in the DOM', value: Math.round(median(reloads.map((r) => r.dom))), unit: 'ms' },
			{ name: 'day list offline: page from the worker', value: Math.round(median(reloads.map((r) => r.responseStart))), unit: 'ms' },
			{ name: 'toggle → "In attesa di invio", median', value: Math.round(median(shown) * 10) / 10, unit: 'ms', target: TARGET_TOGGLE_MS, better: 'lower' },
			{ name: 'toggle → "In attesa di invio", max', value: Math.round(Math.max(...shown) * 10) / 10, unit: 'ms', target: TARGET_TOGGLE_MS, better: 'lower' },
			{ name: 'toggle → server\'s "Registrata" (slow 4G)', value: Math.round(median(toggles.map((t) => t.confirmed))), unit: 'ms' }
		];
		const checks = {
			homeLoads: loads.length,
			scriptsPerLoad: loads[0].scripts.length,
			lcpMeasured: lcps.every(Number.isFinite),
			toggles: toggles.length,
			togglesShownAndConfirmed: toggles.every((t) => Number.isFinite(t.shown) && Number.isFinite(t.confirmed)),
			boxMatchesEachToggle: toggles.every((t) => t.checked === t.on),
			offlineReloadsWithBanner: reloads.filter((r) => r.rows > 0 && r.banner).length,
			ok: false
		};
		checks.ok = checks.lcpMeasured && checks.scriptsPerLoad > 0 && checks.toggles >= 2 && checks.togglesShownAndConfirmed && checks.boxMatchesEachToggle && checks.offlineReloadsWithBanner === RUNS;

		for (const f of figures) printFigure(f);
		console.log(`  correctness: ${checks.ok ? 'OK' : 'FAILED'} (${JSON.stringify(checks)})`);
		const path = writeResult('pwa', {
			parameters: { runs: RUNS, cpuSlowdown: CPU_SLOWDOWN, network: SLOW_4G, viewport: '360×740', build: `${BUILD_DIR} (vite build --mode test)`, gzip: 'zlib level 9 of each script body the page fetched' },
			results: { homeLoads: loads, toggles, offlineReloads: reloads },
			checks,
			figures
		});
		console.log(`  → ${path}`);
		if (!checks.ok) process.exitCode = 1;
	} finally {
		await browser.close();
		await server.stop();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

await main();
