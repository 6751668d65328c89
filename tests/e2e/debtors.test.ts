import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { staffSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';
import { until } from '../helpers/wait.js';

/*
 * Morosi, cruscotto and registro in Chromium. The server starts at Monday 23 November 2026, 12:00
 * in Rome, past the cutoff: it closes that day at once, so every pupil of the demo (no top-ups in
 * the tests) has eaten one meal on credit — Luca and Sofia 4,20 €, Anna 2,50 €.
 */

const s = staffSession();
let page: Page;

beforeAll(async () => {
	const db = new Database(s.server.dbPath, { readonly: true, fileMustExist: true });
	try {
		await until(async () => db.prepare("SELECT count(*) FROM day_closes d JOIN tenants t ON t.id = d.tenant_id WHERE t.slug = 'mazze'").pluck().get() as number, (n) => n > 0);
	} finally {
		db.close();
	}
});

async function expectAccessible(what: string) {
	const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => v.id), `axe on ${what}:\n${formatViolations(serious)}`).toEqual([]);
}

const menu = (name: string) => page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name, exact: true });

describe('ufficio: morosi, cruscotto, registro', () => {
	it('lists the morosi and sends Luca’s sollecito after a preview; the e-mail arrives and the list shows it', async () => {
		page = await s.signIn('ufficio@mazze.example.it');
		await menu('Morosi').click();
		await page.waitForURL('**/ufficio/morosi');
		await settle(page);
		await page.getByText('3 saldi negativi, totale dovuto 10,90 €.').waitFor();
		const rows = page.getByRole('table', { name: 'Morosi del Comune' }).locator('tbody tr');
		await expect.poll(() => rows.allInnerTexts()).toHaveLength(3);
		expect((await rows.filter({ hasText: 'Ferrari Anna' }).innerText()).replace(/\s+/g, ' ')).toContain('2,50 €');
		// Sorted by debt, largest first: the header says so, and its link names the order it gives, with no stray spaces.
		const dovuto = page.getByRole('columnheader', { name: /^Dovuto/ });
		expect(await dovuto.getAttribute('aria-sort')).toBe('descending');
		expect(await dovuto.getByRole('link', { name: 'Dovuto, ordina crescente', exact: true }).count()).toBe(1);
		expect(await page.getByRole('link', { name: 'Alunno, ordina decrescente', exact: true }).count()).toBe(1);
		await expectAccessible('/ufficio/morosi');

		await page.getByRole('checkbox', { name: 'Seleziona Luca Rossi (Refezione)' }).check();
		await page.getByLabel('Agli alunni selezionati (1)').check();
		await page.getByRole('button', { name: 'Anteprima dei solleciti' }).click();
		await page.getByText('Prima e-mail, a maria.rossi@example.com — «Sollecito: saldo negativo di Luca Rossi (Refezione) — Comune di Mazzè»').waitFor();
		await page.getByText(/mancano 4,20 €/).waitFor();
		await screenshot(page, 'morosi-anteprima');
		await expectAccessible('/ufficio/morosi with the preview');

		await page.getByRole('button', { name: 'Conferma e invia 1 e-mail' }).click();
		await page.getByRole('status').filter({ hasText: 'Solleciti inviati: 1 e-mail.' }).waitFor();
		const mail = await s.server.smtp.waitFor('maria.rossi@example.com', (m) => m.subject.startsWith('Sollecito'));
		expect(mail.text).toContain('il saldo del servizio Refezione di Luca Rossi è negativo dal 23/11/2026: mancano 4,20 €.');
		await expect.poll(async () => (await rows.filter({ hasText: 'Rossi Luca' }).innerText()).replace(/\s+/g, ' ')).toContain('23/11/2026');
		expect((await rows.filter({ hasText: 'Rossi Sofia' }).innerText()).replace(/\s+/g, ' ')).toContain('Mai');
	});

	it('shows a template error next to the field and saves a valid one', async () => {
		const field = page.getByLabel('Testo dell’e-mail');
		await field.fill('Saldo di {nome_figlio}: {saldo}');
		await page.getByRole('button', { name: 'Salva il testo' }).click();
		await page.locator('#template-error').filter({ hasText: /^Testo del sollecito: Segnaposto sconosciuto: \{saldo\}/ }).waitFor();
		await field.fill('Saldo di {nome_figlio}: mancano {importo}. Comune di {comune}');
		await page.getByRole('button', { name: 'Salva il testo' }).click();
		await page.getByRole('status').filter({ hasText: 'Testo del sollecito salvato.' }).waitFor();
		await page.getByText('Il Comune usa un testo proprio.').waitFor();
	});

	it('the cruscotto draws the month’s meals as a chart with its table', async () => {
		await menu('Cruscotto').click();
		await page.waitForURL('**/ufficio/cruscotto');
		await settle(page);
		await page.getByRole('img', { name: 'Pasti al giorno per scuola, Novembre 2026' }).waitFor();
		expect(await page.locator('#grafico-pasti rect').count()).toBe(2);
		const table = page.getByRole('table', { name: 'Pasti al giorno per scuola (tabella del grafico)' });
		expect((await table.locator('tbody tr').innerText()).replace(/\s+/g, ' ')).toMatch(/^Lun 23 Nov 1 2 3$/);
		await screenshot(page, 'cruscotto');
		await expectAccessible('/ufficio/cruscotto');
		await page.getByLabel('Mese', { exact: true }).fill('2026-10');
		await page.getByRole('button', { name: 'Mostra' }).click();
		await page.waitForURL('**/ufficio/cruscotto?mese=2026-10');
		await page.getByText('Nessun pasto registrato in questo mese.').waitFor();
	});

	it('the registro finds the sollecito and the template change', async () => {
		await menu('Registro').click();
		await page.waitForURL('**/ufficio/registro');
		await settle(page);
		await page.getByLabel('Operazione').selectOption({ label: 'Solleciti inviati' });
		await page.getByLabel('Testo nei dettagli').fill('Luca Rossi');
		await page.getByRole('button', { name: 'Cerca' }).click();
		await page.waitForURL(/azione=debtors\.remind/);
		await page.getByText('1 operazione, dalla più recente.').waitFor();
		const row = page.getByRole('table', { name: 'Operazioni registrate, dalla più recente' }).locator('tbody tr');
		expect((await row.innerText()).replace(/\s+/g, ' ')).toContain('ufficio@mazze.example.it Solleciti inviati debtors.remind');
		await expectAccessible('/ufficio/registro');
		await page.goto('/ufficio/registro?azione=debtors.reminder_template');
		await page.getByText('1 operazione, dalla più recente.').waitFor();
		await page.goto('/ufficio/registro?dal=2026-11-30&al=2026-11-01');
		await page.locator('#al-error').filter({ hasText: 'La data finale deve venire dopo quella iniziale' }).waitFor();
	});

	it('fits a 360 px phone without sideways scrolling', async () => {
		page = await s.signIn('ufficio@mazze.example.it', { size: 'phone' });
		for (const path of ['/ufficio/morosi', '/ufficio/cruscotto', '/ufficio/registro']) {
			await gotoHydrated(page, path);
			expect(await scrollWidth(page), `${path}: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
		}
		expect(s.problems).toEqual([]);
	});
});
