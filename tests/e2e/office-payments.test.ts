import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { staffSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * The ufficio's money pages in Chromium: a counter top-up found again in the payments list by the
 * child's name, the Gestione saldi dry run, the payments pause, and axe (WCAG 2.1 A/AA) on each page.
 */

const s = staffSession({ DAY_CLOSE: 'off' });
let page: Page;

async function expectAccessible(what: string) {
	const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => v.id), `axe on ${what}:\n${formatViolations(serious)}`).toEqual([]);
}

describe('ufficio: payments', () => {
	it('records a counter top-up and finds it in the payments list by the child’s name', async () => {
		page = await s.signIn('ufficio@mazze.example.it');
		await page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name: 'Pagamenti', exact: true }).click();
		await page.waitForURL('**/ufficio/pagamenti');
		await page.getByRole('link', { name: 'Ricarica allo sportello' }).click();
		await page.waitForURL('**/ufficio/pagamenti/sportello');
		await settle(page);
		await expectAccessible('/ufficio/pagamenti/sportello');

		await page.getByLabel('Alunno', { exact: true }).fill('anna fer');
		await page.getByRole('button', { name: /^Anna Ferrari/ }).click();
		await page.getByRole('heading', { name: 'Ricarica per Anna Ferrari' }).waitFor();
		await expect.poll(() => page.getByLabel('Gruppo di servizi').inputValue()).not.toBe('');
		await page.getByLabel('Importo (€)').fill('25,00');
		await page.locator('label[for=method-pos]').click();
		await page.getByLabel('Numero di ricevuta').fill('E2E-0001');
		await page.getByRole('button', { name: 'Registra la ricarica' }).click();
		await page.getByRole('status').filter({ hasText: 'Ricarica registrata: 25,00 € a Anna Ferrari (Refezione), ricevuta E2E-0001. Nuovo saldo 25,00 €.' }).waitFor();
		await screenshot(page, 'sportello-registrata');
		await expectAccessible('/ufficio/pagamenti/sportello after a top-up');

		// The same paper receipt again: refused, next to the field.
		await page.getByLabel('Importo (€)').fill('10');
		await page.getByLabel('Numero di ricevuta').fill('E2E-0001');
		await page.getByRole('button', { name: 'Registra la ricarica' }).click();
		await page.locator('#receiptNumber-error').filter({ hasText: /^Ricevuta già registrata/ }).waitFor();
		await expectAccessible('/ufficio/pagamenti/sportello with a refusal');

		await page.getByRole('link', { name: 'Elenco pagamenti' }).click();
		await page.waitForURL('**/ufficio/pagamenti');
		await page.getByLabel('Cerca').fill('Anna Ferrari');
		await page.getByRole('button', { name: 'Filtra' }).click();
		await page.waitForURL(/\/ufficio\/pagamenti\?q=Anna\+Ferrari/);
		const rows = page.getByRole('table').getByRole('row');
		expect(await rows.count()).toBe(2);
		const row = rows.nth(1);
		for (const text of ['Sportello', 'Ricevuta E2E-0001', 'Anna Ferrari', '25,00 €', 'Pagato']) expect(await row.textContent()).toContain(text);
		await screenshot(page, 'pagamenti-elenco');
		await expectAccessible('/ufficio/pagamenti');

		for (const path of ['/ufficio/pagamenti/ricevute', '/ufficio/pagamenti/riconciliazione', '/ufficio/pagamenti/rettifiche']) {
			await gotoHydrated(page, path);
			await expectAccessible(path);
		}
	});

	it('uploads the opening balances and sees the dry-run report', async () => {
		await gotoHydrated(page, '/ufficio/saldi');
		await expectAccessible('/ufficio/saldi');
		const csv = 'Codice fiscale;Gruppo;Saldo\nRSSLCU17E04E379I;Refezione;-12,50\nRSSSFO21P60E379I;Refezione;30,5\nBNCTMS19A01D612D;Refezione;10\nRSSLCU17E04E379X;Refezione;5\n';
		await page.getByLabel('File CSV dei saldi').setInputFiles({ name: 'saldi.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
		await page.getByRole('button', { name: 'Verifica (prova senza applicare)' }).click();
		await page.getByRole('heading', { name: 'Verifica di «saldi.csv»' }).waitFor();
		const report = page.getByRole('region', { name: 'Verifica di «saldi.csv»' });
		expect(await report.getByRole('listitem').allTextContents()).toEqual([
			'Righe abbinate: 2, totale 18,00 €',
			'Righe non abbinate (alunno o gruppo non trovato): 1',
			'Righe non valide: 1',
			'Separatore «;»; la prima riga è stata letta come intestazione'
		]);
		expect(await report.getByRole('row', { name: /^4 / }).textContent()).toContain('Non abbinata: consumatore non trovato in questo Comune');
		expect(await report.getByRole('row', { name: /^5 / }).textContent()).toContain('Non valida: codice fiscale non valido');
		// The file stays chosen: the operator can apply it after the dry run (here refused: it has problems).
		await page.getByRole('button', { name: 'Applica i saldi' }).click();
		await page.getByRole('alert').filter({ hasText: 'Nessun saldo applicato' }).waitFor();
		await screenshot(page, 'saldi-verifica');
		await expectAccessible('/ufficio/saldi with a report');
	});

	it('sets and clears the payments pause', async () => {
		await gotoHydrated(page, '/ufficio/impostazioni-pagamenti');
		await page.getByText('Pagamenti attivi, nessuna pausa impostata.').waitFor();
		await expectAccessible('/ufficio/impostazioni-pagamenti');
		await page.getByLabel('Sospendi dal').fill('2026-11-20');
		await page.getByLabel('Riattiva il').fill('2027-01-10');
		await page.getByLabel('Messaggio per le famiglie').fill('Il servizio di pagamento verrà riattivato il 10/01.');
		await page.getByRole('button', { name: 'Salva la pausa' }).click();
		await page.getByRole('status').filter({ hasText: 'Pausa salvata' }).waitFor();
		await page.getByText('Le famiglie leggono: «Il servizio di pagamento verrà riattivato il 10/01.»').waitFor();
		await expectAccessible('/ufficio/impostazioni-pagamenti during a pause');
		await page.getByRole('button', { name: 'Togli la pausa' }).click();
		await page.getByText('Pagamenti attivi, nessuna pausa impostata.').waitFor();
	});

	it('the list and the migration page fit a phone', async () => {
		page = await s.signIn('ufficio@mazze.example.it', { size: 'phone' });
		for (const path of ['/ufficio/pagamenti', '/ufficio/saldi', '/ufficio/pagamenti/sportello']) {
			await gotoHydrated(page, path);
			const width = await scrollWidth(page);
			expect(width, `${path} scrolls sideways: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
		}
		expect(s.problems).toEqual([]);
	});
});
