import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { linkIn } from '../helpers/smtp.js';
import { axeViolations, formatViolations, inputsWithoutBoundary, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * A parent on a phone, from nothing to seeing their child: picks the Comune, registers with e-mail
 * and password, confirms the address from the mail, logs in, links the child with the activation
 * code from the enrolment letter, and logs out. The steps share one browser page and run in order.
 */

const session = phoneSession();

const PHONE_WIDTH = 360;

const giovanni = {
	givenName: 'Giovanni',
	familyName: 'Ferrari',
	// The applicant of Anna Ferrari's enrolment in the demo seed.
	codiceFiscale: 'FRRGNN82H15L219L',
	email: `giovanni.ferrari.${Date.now()}@example.com`,
	password: 'Refezione-Mazzè-42'
};
const ANNA_CODE = 'MZZ7-K4PQ-2RTA';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
const registerRequests: Request[] = [];

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	page.on('request', (r) => {
		if (r.url().includes('/api/trpc/auth.register')) registerRequests.push(r);
	});
});

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

async function expectAccessible(what: string) {
	const violations = await axeViolations(page);
	expect(violations.map((v) => v.id), `axe on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

describe('guardian onboarding on a phone (360×740)', () => {
	it('finds the Comune from the home page: suggestions after three letters', async () => {
		await gotoHydrated(page, '/');
		await screenshot(page, 'comune-picker');
		await expectNoSidewaysScroll('/');
		await expectAccessible('/');

		const search = page.getByLabel('Nome del Comune');
		expect(await search.getAttribute('id')).toBe('q');
		await search.pressSequentially('ma', { delay: 30 });
		// Two letters are not enough to search.
		await page.waitForTimeout(300);
		expect(await page.getByRole('link', { name: 'Mazzè', exact: true }).count()).toBe(0);

		await search.pressSequentially('z', { delay: 30 });
		const suggestion = page.getByRole('link', { name: 'Mazzè', exact: true });
		await visible(suggestion);
		await screenshot(page, 'comune-picker-suggestions');
		await expectNoSidewaysScroll('/ with suggestions');
		await expectAccessible('/ with suggestions');

		await suggestion.click();
		await page.waitForURL('**/login/mazze');
	});

	it('shows the login page of the Comune, with links to register and to recover credentials', async () => {
		await settle(page);
		await visible(page.getByRole('heading', { name: 'Servizi scolastici' }));
		await expect.poll(() => page.title()).toMatch(/Mazzè/);
		await visible(page.getByLabel('E-mail'));
		await visible(page.getByLabel('Password'));
		await visible(page.getByRole('button', { name: 'Accedi' }));
		await visible(page.getByRole('link', { name: 'Recupera le tue credenziali' }));
		// Mazzè has no SPID/CIE yet: said plainly, with no SPID button.
		await visible(page.getByText('L’accesso con SPID o CIE non è ancora attivo'));
		expect(await page.getByRole('link', { name: 'Entra con SPID' }).count()).toBe(0);

		await screenshot(page, 'login-mazze');
		await expectNoSidewaysScroll('/login/mazze');
		await expectAccessible('/login/mazze');

		await page.getByRole('link', { name: 'Registrati' }).click();
		await page.waitForURL('**/login/mazze/registrati');
	});

	it('refuses a wrong codice fiscale next to the field, without sending anything', async () => {
		await settle(page);
		await visible(page.getByRole('heading', { name: 'Registrati' }));
		await screenshot(page, 'registrati');
		await expectNoSidewaysScroll('/login/mazze/registrati');
		await expectAccessible('/login/mazze/registrati');
		expect(await inputsWithoutBoundary(page)).toEqual([]);

		await page.locator('#givenName').fill(giovanni.givenName);
		await page.locator('#familyName').fill(giovanni.familyName);
		// The right shape, the wrong check letter.
		await page.locator('#codiceFiscale').fill('FRRGNN82H15L219X');
		await page.locator('#email').fill(giovanni.email);
		await page.locator('#password').fill(giovanni.password);
		// bootstrap-italia draws the box in the label, over the real input: a finger taps the label.
		await page.locator('label[for="privacy"]').click();
		expect(await page.locator('#privacy').isChecked()).toBe(true);
		await page.getByRole('button', { name: 'Registrati' }).click();

		const error = page.locator('#codiceFiscale-error');
		await visible(error);
		expect(await error.textContent()).toMatch(/^Codice fiscale: non valido/);
		// Next to its field: tied to the input for screen readers, right below it on screen.
		const input = page.locator('#codiceFiscale');
		expect(await input.getAttribute('aria-invalid')).toBe('true');
		expect((await input.getAttribute('aria-describedby'))?.split(' ')).toContain('codiceFiscale-error');
		const [inputBox, errorBox] = await Promise.all([input.boundingBox(), error.boundingBox()]);
		expect(errorBox!.y).toBeGreaterThanOrEqual(inputBox!.y + inputBox!.height - 1);
		expect(errorBox!.y - (inputBox!.y + inputBox!.height)).toBeLessThan(60);
		// Only that field is flagged, and the form says what to do.
		expect(await page.locator('[aria-invalid="true"]').count()).toBe(1);
		await visible(page.getByRole('alert').filter({ hasText: 'Controlla i campi evidenziati.' }));

		await page.waitForTimeout(300);
		expect(registerRequests, 'the form must not send an invalid codice fiscale').toHaveLength(0);
		expect(server.smtp.received.filter((m) => m.to === giovanni.email)).toHaveLength(0);

		await screenshot(page, 'registrati-errore-cf');
		await expectNoSidewaysScroll('/login/mazze/registrati with errors');
		await expectAccessible('/login/mazze/registrati with errors');
	});

	it('registers and asks to check the mail', async () => {
		await page.locator('#codiceFiscale').fill(giovanni.codiceFiscale);
		await page.getByRole('button', { name: 'Registrati' }).click();
		const sent = page.getByRole('status').filter({ hasText: 'Controlla la posta' });
		await visible(sent);
		expect(await sent.textContent()).toContain(giovanni.email);
		expect(registerRequests).toHaveLength(1);
		await screenshot(page, 'registrati-inviato');
		await expectNoSidewaysScroll('/login/mazze/registrati after sending');
	});

	it('confirms the address from the link in the mail', async () => {
		const mail = await server.smtp.waitFor(giovanni.email, (m) => m.subject.includes('Conferma'));
		const link = linkIn(mail, '/verifica');
		expect(link.origin).toBe(server.url);
		await page.goto(link.href);
		await visible(page.getByText('Indirizzo confermato. Ora puoi accedere.'));
		await screenshot(page, 'verifica');
		await expectNoSidewaysScroll('/verifica');
		await expectAccessible('/verifica');

		await page.getByRole('link', { name: 'Vai all’accesso' }).click();
		await page.waitForURL(/\/login\/mazze\?verificato/);
		await visible(page.getByRole('status').filter({ hasText: 'Indirizzo e-mail confermato: ora puoi accedere.' }));
	});

	it('logs in and lands on Home, with no children yet', async () => {
		await settle(page);
		await page.locator('#email').fill(giovanni.email);
		await page.locator('#password').fill(giovanni.password);
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await settle(page);

		await visible(page.getByText('Non ci sono ancora figli collegati al tuo profilo.'));
		expect(await page.locator('article').count()).toBe(0);
		const menu = page.getByRole('navigation', { name: 'Menù principale' });
		for (const name of ['Home', 'Consumatori', 'Ricarica', 'Profilo', 'Impostazioni']) await visible(menu.getByRole('link', { name, exact: true }));
		expect(await menu.getByRole('link', { name: 'Home', exact: true }).getAttribute('aria-current')).toBe('page');
		await visible(menu.getByRole('button', { name: 'Logout' }));
		await visible(page.getByText('Giovanni Ferrari'));

		await screenshot(page, 'home-vuota');
		await expectNoSidewaysScroll('/home');
		await expectAccessible('/home');
		expect(await inputsWithoutBoundary(page)).toEqual([]);
	});

	it('refuses a wrong activation code', async () => {
		const code = page.getByLabel('Codice di attivazione');
		expect(await code.getAttribute('id')).toBe('code');
		await code.fill('MZZ7-K4PQ-2RTB');
		await page.getByRole('button', { name: 'Collega' }).click();
		const error = page.locator('#code-error');
		await visible(error);
		expect(await error.textContent()).toBe('Codice di attivazione non valido: controlla la lettera del Comune.');
		expect(await code.getAttribute('aria-invalid')).toBe('true');
		expect(await page.locator('article').count()).toBe(0);
		await screenshot(page, 'home-codice-errato');
		await expectNoSidewaysScroll('/home with a code error');
		await expectAccessible('/home with a code error');
	});

	it('links Anna Ferrari with the activation code: her school and class appear, and stay after a reload', async () => {
		const code = page.getByLabel('Codice di attivazione');
		await code.fill(ANNA_CODE);
		await page.getByRole('button', { name: 'Collega' }).click();
		await visible(page.getByRole('status').filter({ hasText: 'Anna: collegamento completato.' }));
		expect(await page.locator('#code-error').count()).toBe(0);

		const expectAnna = async () => {
			const card = page.locator('article').filter({ has: page.getByRole('heading', { name: 'Anna Ferrari' }) });
			await visible(card);
			expect(await card.count()).toBe(1);
			const facts = await card.locator('dt, dd').allTextContents();
			expect(facts.map((t) => t.trim())).toEqual(['Scuola', 'Scuola primaria "Gianni Rodari"', 'Classe', '1ª A']);
			// «Mensa Attivo», as on the Comune's notice.
			await visible(card.getByText(/^Mensa Attiv[oa]$/i));
			expect(await page.getByText('Non ci sono ancora figli collegati').count()).toBe(0);
		};
		await expectAnna();
		await screenshot(page, 'home-anna');
		await expectNoSidewaysScroll('/home with Anna');
		await expectAccessible('/home with Anna');

		await page.reload({ waitUntil: 'networkidle' });
		expect(new URL(page.url()).pathname).toBe('/home');
		await expectAnna();
	});

	it('logs out back to the Comune’s login page, after which Home is closed', async () => {
		await page.getByRole('button', { name: 'Logout' }).click();
		await page.waitForURL(/\/login\/mazze\?uscito/);
		await visible(page.getByRole('status').filter({ hasText: 'Sei uscito. A presto!' }));
		await screenshot(page, 'logout');

		const response = await page.goto('/home');
		expect(response?.ok()).toBe(true);
		// Sent away from Home: to the Comune picker, or (once the app remembers the last Comune) to
		// Mazzè's login page; either way signed out.
		const landed = new URL(page.url()).pathname;
		expect(['/', '/login/mazze']).toContain(landed);
		await visible(page.getByLabel(landed === '/' ? 'Nome del Comune' : 'E-mail'));
		expect(await page.getByRole('button', { name: 'Logout' }).count()).toBe(0);
		expect(await page.getByText('Anna Ferrari').count()).toBe(0);
		expect((await context.cookies()).map((c) => c.name)).not.toContain('ma_session');
	});

	it('the login page of a Comune with SPID/CIE is accessible too', async () => {
		await gotoHydrated(page, '/login/chiusi-della-verna');
		await visible(page.getByRole('link', { name: 'Entra con SPID' }));
		await screenshot(page, 'login-chiusi');
		await expectNoSidewaysScroll('/login/chiusi-della-verna');
		await expectAccessible('/login/chiusi-della-verna');
	});

	it('ran without script errors or CSP violations', () => {
		expect(problems).toEqual([]);
	});
});
