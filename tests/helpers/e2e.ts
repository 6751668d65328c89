import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { startTestServer, type TestServer } from './server.js';
import { gotoHydrated, launchBrowser, phoneContext, screenshot, settle, watchProblems } from './browser.js';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { authenticatorCode } from './second-factor.js';
import { SECOND_FACTOR_PAGE } from '../../server/auth/home.js';

/** A 360 px phone, as parents and school staff use it, or the ufficio's desktop. */
export type Size = 'desktop' | 'phone';

export interface SessionOptions {
	/** Playwright's default timeout for every context of the file */
	timeoutMs?: number;
}

/** What a file of browser tests shares: a real server, Chromium, the page under test and its problems. */
interface BrowserSession {
	server: TestServer;
	browser: Browser;
	/** replace it (s.page = …) when a test turns to another page, so a failure's screenshot shows that one */
	page: Page;
	/** script and console errors of every page the session opened (tests/helpers/browser.ts watchProblems) */
	problems: string[];
}

export interface PhoneSession extends BrowserSession {
	context: BrowserContext;
}

export interface SignInOptions {
	size?: Size;
	/** the login page: a Comune's (/login/<slug>) or the platform admin's (/admin/login) */
	at?: string;
	password?: string;
}

export interface StaffSession extends BrowserSession {
	/** a page in a new context of that size, from now on the page under test */
	newPage(size?: Size): Promise<Page>;
	/**
	 * newPage, signed in with the demo password unless told, and the code of the demo authenticator
	 * for staff; resolves on the page the sign-in led to. The first time per person it goes through
	 * the login pages; afterwards the new context gets that session's cookie, as a browser kept
	 * signed in would (the server takes each authenticator code once).
	 */
	signIn(email: string, options?: SignInOptions): Promise<Page>;
	/** on the code page a password sign-in led to: enrols the authenticator if asked (keeping its key), gives the code */
	passSecondFactor(page: Page, email: string): Promise<void>;
}

/**
 * The hooks every kind of session registers: the server and Chromium started together, every
 * context it opened closed afterwards, a screenshot of the page under test when a test fails.
 * `open` makes a context of a size and its page, which becomes the page under test.
 */
function browserSession<S extends BrowserSession>(env: Record<string, string>, options: SessionOptions): { s: S; open: (size: Size) => Promise<Page> } {
	const s = { problems: [] as string[] } as S;
	const contexts: BrowserContext[] = [];
	beforeAll(async () => {
		[s.server, s.browser] = await Promise.all([startTestServer(env), launchBrowser()]);
	});
	afterAll(async () => {
		for (const c of contexts) await c.close();
		await s.browser?.close();
		await s.server?.stop();
	});
	beforeEach(({ task, onTestFailed }) => {
		onTestFailed(() => screenshot(s.page, `failed-${task.name.replace(/\W+/g, '-')}`).catch(() => undefined));
	});
	async function open(size: Size): Promise<Page> {
		const context =
			size === 'phone'
				? await phoneContext(s.browser, s.server.url)
				: await s.browser.newContext({ baseURL: s.server.url, viewport: { width: 1280, height: 900 }, locale: 'it-IT', timezoneId: 'Europe/Rome', acceptDownloads: true });
		context.setDefaultTimeout(options.timeoutMs ?? 10_000);
		contexts.push(context);
		s.page = await context.newPage();
		watchProblems(s.page, s.problems);
		return s.page;
	}
	return { s, open };
}

/**
 * Registers a file's hooks (browserSession) and one 360 px phone context with its page. Call it
 * at the top of the file; the fields are there from the first beforeAll that runs after it.
 */
export function phoneSession(env: Record<string, string> = {}, options: SessionOptions = {}): PhoneSession {
	const { s, open } = browserSession<PhoneSession>(env, options);
	beforeAll(async () => {
		s.context = (await open('phone')).context();
	});
	return s;
}

/**
 * Registers a file's hooks (browserSession) for the back office, where each test opens its own
 * pages, signed in as staff or as the platform admin. Call it at the top of the file.
 */
export function staffSession(env: Record<string, string> = {}, options: SessionOptions = {}): StaffSession {
	const { s, open } = browserSession<StaffSession>(env, options);
	s.newPage = (size = 'desktop') => open(size);
	const kept = new Map<string, { cookies: Cookie[]; landing: string }>();
	// Staff invited during the file enrol their own authenticator: its key, as read off the page.
	const keys = new Map<string, Uint8Array>();
	s.passSecondFactor = async (p, email) => {
		const secret = p.getByTestId('totp-secret');
		if (await secret.count()) {
			keys.set(email, decodeBase32IgnorePadding((await secret.innerText()).replace(/\s/g, '')));
			await p.getByLabel('Codice mostrato dall’app').fill(await authenticatorCode(s.server.url, email, keys.get(email)));
			await p.getByRole('button', { name: 'Attiva e accedi' }).click();
			await p.getByRole('link', { name: 'Ho salvato i codici, continua' }).click();
		} else {
			await p.getByLabel('Codice dell’app di autenticazione o codice di recupero').fill(await authenticatorCode(s.server.url, email, keys.get(email)));
			await p.getByRole('button', { name: 'Accedi' }).click();
		}
		await p.waitForURL((url) => url.pathname !== SECOND_FACTOR_PAGE);
	};
	s.signIn = async (email, { size = 'desktop', at = '/login/mazze', password = 'MensaAperta-2026' } = {}) => {
		const p = await open(size);
		const session = kept.get(email);
		if (session) {
			await p.context().addCookies(session.cookies);
			await gotoHydrated(p, session.landing);
			// Still signed in (no test ended that session): there.
			if (new URL(p.url()).pathname === session.landing) return p;
		}
		await gotoHydrated(p, at);
		await p.getByLabel('E-mail').fill(email);
		await p.getByLabel('Password').fill(password);
		await p.getByRole('button', { name: 'Accedi' }).click();
		await p.waitForURL((url) => url.pathname !== at);
		if (new URL(p.url()).pathname === SECOND_FACTOR_PAGE) await s.passSecondFactor(p, email);
		await settle(p);
		kept.set(email, { cookies: await p.context().cookies(), landing: new URL(p.url()).pathname });
		return p;
	};
	return s;
}

/**
 * The platform admin's "Nuovo Comune" form, from the list of Comuni, filled for Calùso (TO) with
 * `codiceFiscaleEnte`, and sent. The caller checks what the form answered.
 */
export async function submitNewComune(page: Page, codiceFiscaleEnte: string): Promise<void> {
	await page.getByRole('link', { name: 'Nuovo Comune' }).click();
	await page.waitForURL('**/admin/comuni/nuovo');
	await settle(page);
	await page.getByLabel('Indirizzo').fill('caluso');
	await page.getByLabel('Nome del Comune').fill('Calùso');
	await page.getByLabel('Provincia (sigla)').fill('to');
	await page.getByLabel('Codice fiscale dell’ente').fill(codiceFiscaleEnte);
	await page.getByLabel('Telefono').fill('011 9891911');
	await page.getByRole('button', { name: 'Crea il Comune' }).click();
}
