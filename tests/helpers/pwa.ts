import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { gotoHydrated } from './browser.js';

/** Signs in with e-mail and password on a Comune's login page and waits for Home. */
export async function loginOnPage(page: Page, email: string, slug = 'mazze', password = 'MensaAperta-2026') {
	await gotoHydrated(page, `/login/${slug}`);
	await page.locator('#email').fill(email);
	await page.locator('#password').fill(password);
	await page.getByRole('button', { name: 'Accedi' }).click();
	await page.waitForURL('**/home');
}

/** The worker installed by the first visit takes over the page (clientsClaim): no reload needed. */
export async function waitForControl(page: Page) {
	await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null), { timeout: 30_000 }).toMatch(/\/sw\.js$/);
}

/** A store of the app's IndexedDB, read from the page as the browser holds it. */
export function readStore(page: Page, store: string): Promise<Record<string, unknown>[]> {
	return page.evaluate(
		(name) =>
			new Promise<Record<string, unknown>[]>((resolve, reject) => {
				const open = indexedDB.open('mensa-aperta');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const req = open.result.transaction(name).objectStore(name).getAll();
					req.onsuccess = () => {
						open.result.close();
						resolve(req.result);
					};
					req.onerror = () => reject(req.error);
				};
			}),
		store
	);
}
