/**
 * The phone bench/pwa.ts measures on: headless Chromium slowed by the DevTools protocol, and the
 * probes it reads the page's own clock with (performance.now(), whose zero is the navigation start).
 */
import { gzipSync, constants } from 'node:zlib';
import type { CDPSession, Page } from 'playwright-core';

/** Lighthouse's mobile slow 4G: 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up (bytes per second). */
export const SLOW_4G = { offline: false, latency: 150, downloadThroughput: 1_638_400 / 8, uploadThroughput: 750_000 / 8 };
export const CPU_SLOWDOWN = 4;
/**
 * No network, set on our own DevTools session too: once a second session is attached, a reload
 * forgets Playwright's context.setOffline (navigator.onLine came back true, tried on Chromium 156).
 */
export const NO_NETWORK = { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };

/** CPU ×4 on the page's renderer and, unless told otherwise, slow 4G on its requests; lasts across reloads. */
export async function slowPhone(page: Page, network = true): Promise<CDPSession> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
	if (network) {
		await cdp.send('Network.enable');
		await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
	}
	return cdp;
}

export interface Script {
	path: string;
	/** what `gzip -9` makes of the body, the size adapter-node precompresses it to */
	gzipBytes: number;
	/** the body as it came over the wire, in the encoding the server chose */
	transferredBytes: number;
	encoding: string;
}

/**
 * Every script the page itself fetches (module entries, imports, modulepreloads, lazy chunks).
 * The service worker's own fetches (its script and the precache) belong to the worker, not the
 * page, and are not seen here.
 */
export function collectScripts(page: Page): () => Promise<Script[]> {
	const pending: Promise<Script | null>[] = [];
	page.on('response', (response) => {
		const type = response.request().resourceType();
		if (type !== 'script' && !/javascript/.test(response.headers()['content-type'] ?? '')) return;
		pending.push(
			(async () => {
				const body = await response.body();
				const sizes = await response.request().sizes();
				return {
					path: new URL(response.url()).pathname,
					gzipBytes: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }).length,
					transferredBytes: sizes.responseBodySize,
					encoding: response.headers()['content-encoding'] ?? 'identity'
				};
			})().catch(() => null)
		);
	});
	return async () => (await Promise.all(pending)).filter((s): s is Script => s !== null);
}

/** The latest largest-contentful-paint candidate, as web-vitals reads it before any input. */
export function largestContentfulPaint(page: Page): Promise<number> {
	return page.evaluate(
		() =>
			new Promise<number>((resolve) => {
				new PerformanceObserver((list) => {
					const last = list.getEntries().at(-1);
					resolve(last ? last.startTime : NaN);
				}).observe({ type: 'largest-contentful-paint', buffered: true });
				setTimeout(() => resolve(NaN), 5_000);
			})
	);
}

/**
 * Installed before every navigation of the page (through the DevTools protocol, which the app's
 * CSP does not govern): the first moment a day row is in the document, and the animation frame
 * after it, i.e. when it is first painted (frames wait for render-blocking stylesheets).
 * A string, not a function: tsx would wrap named functions in a __name() the page lacks.
 */
export const FIRST_DAY_PROBE = `(() => {
	const w = window;
	const seen = new MutationObserver(() => {
		if (w.__firstDay !== undefined || !document.querySelector('li.day')) return;
		w.__firstDay = performance.now();
		seen.disconnect();
		requestAnimationFrame(() => { w.__firstDayFrame = performance.now(); });
	});
	seen.observe(document, { childList: true, subtree: true });
})();`;

export interface FirstDay {
	dom: number;
	frame: number;
	/** when the answer to the navigation (from the service worker) began to arrive */
	responseStart: number;
	rows: number;
}

export async function readFirstDay(page: Page, timeoutMs = 15_000): Promise<FirstDay> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		const r = await page.evaluate(() => {
			const w = window as unknown as { __firstDay?: number; __firstDayFrame?: number };
			const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
			return w.__firstDayFrame === undefined ? null : { dom: w.__firstDay!, frame: w.__firstDayFrame, responseStart: nav?.responseStart ?? NaN, rows: document.querySelectorAll('li.day').length };
		});
		if (r) return r;
		if (Date.now() > until) throw new Error('no day row rendered');
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/**
 * Arms the page for one toggle of the Assente box of `date`: the time from the input event
 * (capture phase, before the app's handler) to the row showing "In attesa di invio", the box's
 * state then, and the time to the server's "Registrata" answer. Read it with toggleResult.
 */
export function armToggle(page: Page, date: string): Promise<void> {
	return page.evaluate((date) => {
		const w = window as unknown as { __toggle?: Promise<{ shown: number; checked: boolean; confirmed: number }> };
		w.__toggle = new Promise((resolve) => {
			let start = NaN;
			let shown = NaN;
			let checked = false;
			const input = document.getElementById(`assenza-${date}`) as HTMLInputElement;
			document.addEventListener('input', (e) => e.target === input && Number.isNaN(start) && (start = performance.now()), { capture: true });
			const watch = new MutationObserver(() => {
				const text = document.getElementById(`esito-${date}`)?.textContent?.trim() ?? '';
				if (Number.isNaN(start)) return;
				if (Number.isNaN(shown) && text === 'In attesa di invio') {
					shown = performance.now() - start;
					checked = input.checked;
				} else if (!Number.isNaN(shown) && /Registrata/.test(text)) {
					watch.disconnect();
					resolve({ shown, checked, confirmed: performance.now() - start });
				}
			});
			watch.observe(document.body, { childList: true, subtree: true, characterData: true });
			setTimeout(() => resolve({ shown, checked, confirmed: NaN }), 20_000);
		});
	}, date);
}

export function toggleResult(page: Page): Promise<{ shown: number; checked: boolean; confirmed: number }> {
	return page.evaluate(() => (window as unknown as { __toggle: Promise<{ shown: number; checked: boolean; confirmed: number }> }).__toggle);
}

export const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
