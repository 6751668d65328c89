import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/*
 * Headless Chromium for the end-to-end tests: the system browser (/usr/bin/chromium) driven by
 * playwright-core, plus an axe-core check limited to WCAG 2.0/2.1 level A and AA.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROMIUM_PATH,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
	});
}

/** A phone-sized context (360×740, touch, Italian), with the app's own CSP left in force. */
export function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
	return browser.newContext({
		baseURL,
		viewport: { width: 360, height: 740 },
		deviceScaleFactor: 1,
		isMobile: true,
		hasTouch: true,
		locale: 'it-IT',
		timezoneId: 'Europe/Rome'
	});
}

/**
 * Navigate and wait until the network has been quiet, i.e. SvelteKit's modules have loaded and the
 * page is hydrated: typing into a server-rendered input before that would not reach the app.
 */
export async function gotoHydrated(page: Page, path: string): Promise<void> {
	await page.goto(path, { waitUntil: 'networkidle' });
}

/** Wait until the page has no pending requests (after a client-side navigation, before checks). */
export async function settle(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle');
}

/** How wide the document is: more than the viewport means the page scrolls sideways. */
export function scrollWidth(page: Page): Promise<number> {
	return page.evaluate(() => document.documentElement.scrollWidth);
}

/** The elements that stick out past the right edge of the viewport, to explain a sideways scroll. */
export function overflowingElements(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const width = document.documentElement.clientWidth;
		const out: string[] = [];
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > width + 0.5) {
				const id = el.id ? `#${el.id}` : '';
				const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
				out.push(`${el.tagName.toLowerCase()}${id}${cls} (right ${Math.round(r.right)} px)`);
			}
		}
		return out.slice(0, 15);
	});
}

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
let axeSource: string | undefined;

export const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

export interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	helpUrl: string;
	tags: string[];
	nodes: { target: string[]; html: string; failureSummary: string }[];
}

/**
 * Runs axe-core in the page and returns the WCAG 2.0/2.1 A and AA violations.
 *
 * page.addScriptTag({ path }) adds an inline <script>, which the app's CSP (script-src 'self' +
 * nonces) blocks: tried on this build, Chromium reports "Executing inline script violates the
 * following Content Security Policy directive". So axe's source is evaluated through the DevTools
 * protocol instead, which CSP does not govern: the app keeps running under its own CSP, as users
 * get it, rather than in a bypassCSP context (and no CSP error is logged for the test's sake).
 */
export async function axeViolations(page: Page, exclude: string[] = []): Promise<AxeViolation[]> {
	const present = () => page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
	if (!(await present())) {
		axeSource ??= readFileSync(AXE_PATH, 'utf8');
		await page.evaluate(axeSource);
		if (!(await present())) throw new Error('axe-core could not be loaded in the page');
	}
	const violations = await page.evaluate(
		async ({ tags, exclude }) => {
			const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
			const context = exclude.length ? { include: [['html']], exclude: exclude.map((s) => [s]) } : document;
			const result = await axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
			return result.violations.map((v) => ({
				id: v.id,
				impact: v.impact,
				help: v.help,
				helpUrl: v.helpUrl,
				tags: v.tags,
				nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary }))
			}));
		},
		{ tags: [...WCAG_A_AA], exclude }
	);
	return violations.filter((v) => v.tags.some((t) => (WCAG_A_AA as readonly string[]).includes(t)));
}

/** A readable report of axe violations, for an assertion's message. */
export function formatViolations(violations: AxeViolation[]): string {
	return violations
		.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.html}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n')}`)
		.join('\n');
}

/**
 * Page errors, console errors and CSP reports seen by a page, for a final "nothing went wrong"
 * check; pass `problems` to collect several pages' in one list.
 */
export function watchProblems(page: Page, problems: string[] = []): string[] {
	page.on('pageerror', (e) => problems.push(`pageerror on ${page.url()}: ${e.message}`));
	page.on('console', (m) => {
		// A refused request (wrong password: 401) is logged by Chromium itself; that is expected.
		if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console.error on ${page.url()}: ${m.text()}`);
	});
	return problems;
}

/** Where the screenshots go while developing and on failure. */
export async function screenshot(page: Page, name: string): Promise<void> {
	await page.screenshot({ path: `/tmp/e2e-${name}.png`, fullPage: true });
}

/**
 * Text inputs whose boundary cannot be seen: no border on any side, no box-shadow, and the same
 * background as the page (WCAG 2.1 SC 1.4.11, non-text contrast: axe-core does not check this).
 */
export function inputsWithoutBoundary(page: Page): Promise<string[]> {
	return page.evaluate(() => {
		const pageBg = getComputedStyle(document.body).backgroundColor;
		return [...document.querySelectorAll<HTMLInputElement>('input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
			.filter((el) => el.getClientRects().length > 0)
			.filter((el) => {
				const cs = getComputedStyle(el);
				const borders = ['Top', 'Right', 'Bottom', 'Left'].some((side) => parseFloat(cs.getPropertyValue(`border-${side.toLowerCase()}-width`)) > 0 && cs.getPropertyValue(`border-${side.toLowerCase()}-style`) !== 'none');
				return !borders && cs.boxShadow === 'none' && cs.backgroundColor === pageBg;
			})
			.map((el) => `#${el.id}`);
	});
}

/**
 * How the focused element shows focus: its visible outline and box-shadow, '' when it shows none.
 * Running transitions are finished first (Bootstrap fades the focus ring in), and fully
 * transparent outlines and shadows do not count.
 */
export function focusIndicator(page: Page): Promise<string> {
	return page.evaluate(() => {
		const el = document.activeElement;
		if (!el || el === document.body) return '';
		for (const animation of el.getAnimations()) animation.finish();
		const cs = getComputedStyle(el);
		// No named inner functions: tsx/esbuild would wrap them in a __name() the page lacks.
		const transparent = /^rgba\([^)]*,\s*0\)$|^transparent$/;
		const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && !transparent.test(cs.outlineColor.trim()) ? `outline ${cs.outlineWidth} ${cs.outlineStyle} ${cs.outlineColor}` : '';
		const shadow = (cs.boxShadow.match(/rgba?\([^)]*\)/g) ?? []).some((c) => !transparent.test(c)) ? `box-shadow ${cs.boxShadow}` : '';
		return [outline, shadow].filter(Boolean).join('; ');
	});
}
