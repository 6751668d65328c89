import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from './server.js';
import { launchBrowser, phoneContext, screenshot, watchProblems } from './browser.js';

/** What a file of browser tests shares: a real server, Chromium, one phone context and its page. */
export interface PhoneSession {
	server: TestServer;
	browser: Browser;
	context: BrowserContext;
	/** replace it (s.page = …) when a test opens another page, so a failure's screenshot shows that one */
	page: Page;
	/** the page's script errors and failed requests (tests/helpers/browser.ts watchProblems) */
	problems: string[];
}

/**
 * Registers a file's hooks: the server and Chromium started together, a 360 px phone context with
 * its page, a screenshot of the page when a test fails, everything stopped afterwards. Call it at
 * the top of the file; the fields are there from the first beforeAll that runs after it.
 */
export function phoneSession(env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): PhoneSession {
	const s = {} as PhoneSession;
	beforeAll(async () => {
		[s.server, s.browser] = await Promise.all([startTestServer(env), launchBrowser()]);
		s.context = await phoneContext(s.browser, s.server.url);
		s.context.setDefaultTimeout(options.timeoutMs ?? 10_000);
		s.page = await s.context.newPage();
		s.problems = watchProblems(s.page);
	});
	afterAll(async () => {
		await s.context?.close();
		await s.browser?.close();
		await s.server?.stop();
	});
	beforeEach(({ task, onTestFailed }) => {
		onTestFailed(() => screenshot(s.page, `failed-${task.name.replace(/\W+/g, '-')}`).catch(() => undefined));
	});
	return s;
}
