import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { avvisoQrText } from '../helpers/avviso-qr.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * Maria tops up Luca and Sofia on a phone: one cart for both children, the declaration, then an
 * avviso she downloads and mails to herself; then a second cart paid online in the pagoPA
 * simulator, after which both balances are raised. The steps share one page and run in order.
 */

const session = phoneSession({ DAY_CLOSE: 'off' });

const PHONE_WIDTH = 360;
const MAZZE_CF = '84001550015';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let notice = '';

beforeAll(() => ({ server, browser, context, page, problems } = session));

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });
const amountFor = (child: string) => page.getByLabel(`Importo per ${child} — Refezione`, { exact: true });
const addFor = (child: string) => page.getByRole('button', { name: `Aggiungi al carrello: ${child} — Refezione` });
const accountCard = (child: string) => page.locator('form.account', { has: page.getByRole('heading', { name: `${child} Rossi — Refezione` }) });
const cents = (text: string) => Number(text.replace(/[^\d,-]/g, '').replace(',', ''));

async function saldo(child: string): Promise<number> {
	const text = await accountCard(child).getByText(/^Saldo attuale:/).textContent();
	return cents(/Saldo attuale:\s*(-?[\d.]+,\d\d)/.exec(text ?? '')![1]);
}

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

async function expectAccessible(what: string) {
	const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => v.id), `axe on ${what}:\n${formatViolations(serious)}`).toEqual([]);
}

/** Luca and Sofia in the cart, the review, the declaration ticked. */
async function fillCartAndDeclare(luca: string, sofiaQuick: string) {
	await amountFor('Luca').fill(luca);
	await addFor('Luca').click();
	await page.getByRole('group', { name: 'Importi rapidi per Sofia — Refezione' }).getByRole('button', { name: sofiaQuick }).click();
	await addFor('Sofia').click();
	await page.getByRole('button', { name: 'Procedi al pagamento' }).click();
	await visible(page.getByRole('heading', { name: 'Riepilogo' }));
	// bootstrap-italia draws the box in the label, over the real input: a finger taps the label.
	await page.locator('label[for="dichiarazione"]').click();
}

describe('ricarica on a phone (360×740)', () => {
	it('shows each child’s saldo and an amount field with quick amounts', async () => {
		await gotoHydrated(page, '/login/mazze');
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await gotoHydrated(page, '/ricarica');

		await visible(page.getByRole('heading', { level: 1, name: 'Ricarica' }));
		await visible(amountFor('Luca'));
		await visible(amountFor('Sofia'));
		await visible(page.getByText('Il carrello è vuoto'));
		await expectNoSidewaysScroll('/ricarica');
		await expectAccessible('/ricarica');
	});

	it('refuses an amount over 1.000 € next to the field', async () => {
		await amountFor('Luca').fill('1500');
		await addFor('Luca').click();
		await visible(page.getByText('Importo: da 1,00 € a 1.000,00 €'));
		expect(await amountFor('Luca').getAttribute('aria-invalid')).toBe('true');
		await visible(page.getByText('Il carrello è vuoto'));
	});

	it('puts both children in one cart: one total, one payment, one fee', async () => {
		await amountFor('Luca').fill('20');
		await addFor('Luca').click();
		await page.getByRole('group', { name: 'Importi rapidi per Sofia — Refezione' }).getByRole('button', { name: '50 €' }).click();
		expect(await amountFor('Sofia').inputValue()).toBe('50,00');
		await addFor('Sofia').click();

		const cart = page.getByRole('region', { name: 'Carrello' });
		await visible(cart.getByText('Luca Rossi — Refezione'));
		await visible(cart.getByText('Sofia Rossi — Refezione'));
		await visible(cart.getByText('70,00 €'));
		await visible(cart.getByText(/Un solo pagamento, una sola commissione/));
		await screenshot(page, 'ricarica-carrello');
		await expectNoSidewaysScroll('the cart');
		await expectAccessible('the cart');
	});

	it('asks for the declaration before any payment, then generates the avviso', async () => {
		await page.getByRole('button', { name: 'Procedi al pagamento' }).click();
		await visible(page.getByRole('heading', { name: 'Scegli la modalità di pagamento' }));
		const avvisoButton = page.getByRole('button', { name: /^Genera avviso di pagamento/ });
		await avvisoButton.click();
		await visible(page.getByText('Per continuare spunta la dichiarazione'));
		expect(await page.locator('#dichiarazione').evaluate((el) => el === document.activeElement)).toBe(true);
		await expectNoSidewaysScroll('the review');
		await expectAccessible('the review');

		await page.locator('label[for="dichiarazione"]').click();
		await avvisoButton.click();
		await visible(page.getByRole('heading', { name: 'Avviso di pagamento generato' }));
		const shown = (await page.locator('#codice-avviso').textContent())!.trim();
		expect(shown).toMatch(/^3\d{3} \d{4} \d{4} \d{4} \d{2}$/);
		notice = shown.replace(/ /g, '');
		const section = page.getByRole('region', { name: 'Avviso di pagamento generato' });
		await visible(section.getByText('70,00 €'));
		await visible(section.getByText('23/12/2026'));
		await visible(page.getByRole('region', { name: 'I miei pagamenti' }).getByText('Da pagare entro il 23/12/2026'));
		await screenshot(page, 'ricarica-avviso');
		await expectNoSidewaysScroll('the avviso');
		await expectAccessible('the avviso');
	});

	it('downloads the avviso PDF, with the notice in its name and its QR code', async () => {
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Scarica l’avviso (PDF)' }).click()]);
		expect(download.suggestedFilename()).toBe(`avviso-${notice}.pdf`);
		const pdf = readFileSync((await download.path())!);
		expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
		expect(avvisoQrText(new Uint8Array(pdf))).toBe(`PAGOPA|002|${notice}|${MAZZE_CF}|7000`);
	});

	it('sends the avviso by e-mail: it reaches the SMTP server with the PDF', async () => {
		await page.getByRole('button', { name: 'Invialo per e-mail' }).click();
		await visible(page.getByText('Avviso inviato a maria.rossi@example.com.'));
		const mail = await server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Avviso di pagamento'));
		expect(mail.attachments.map((a) => a.filename)).toEqual([`avviso-${notice}.pdf`]);
		expect(avvisoQrText(mail.attachments[0].content)).toBe(`PAGOPA|002|${notice}|${MAZZE_CF}|7000`);
	});

	it('pays a second cart online in the pagoPA simulator and sees both balances raised', async () => {
		await gotoHydrated(page, '/ricarica');
		const before = { luca: await saldo('Luca'), sofia: await saldo('Sofia') };
		await fillCartAndDeclare('12,50', '20 €');
		await page.getByRole('button', { name: 'Paga online con pagoPA' }).click();

		await page.waitForURL(/\/simulatore-pagopa\//);
		await visible(page.getByText('Simulatore — nessun pagamento reale.'));
		await visible(page.getByText('32,50 €').first());
		await page.getByRole('button', { name: 'Paga', exact: true }).click();

		await page.waitForURL(/\/ricarica\/esito\/ok/);
		await visible(page.getByText('Ricarica accreditata.'));
		await gotoHydrated(page, '/ricarica');
		await settle(page);
		expect(await saldo('Luca')).toBe(before.luca + 1_250);
		expect(await saldo('Sofia')).toBe(before.sofia + 2_000);
		await visible(page.getByRole('region', { name: 'I miei pagamenti' }).getByText('Pagato e accreditato'));
		expect(problems).toEqual([]);
	});
});
