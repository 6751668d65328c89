import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { staffSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';
import { FASCIA_B, HEADER, PRIMARIA, pupilCf, pupilsFile } from '../../server/consumers/import/test-files.js';

/*
 * Importa iscrizioni and Esporta dati in Chromium: a file with a bad line (the per-line report,
 * nothing imported), 200 pupils checked, imported and imported again, then the pupils downloaded
 * from Esporta dati; axe (WCAG 2.1 A/AA) on both pages, and both fit a phone.
 */

const BAD = [HEADER, `${pupilCf(1)};Bianchi;Ada;30/02/2019;${PRIMARIA};1ª A;Mensa;${FASCIA_B};FRRGNN82H15L219L;;;`].join('\n');

const s = staffSession({ DAY_CLOSE: 'off' }, { timeoutMs: 15_000 });
let page: Page;

async function expectAccessible(what: string) {
	const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
	expect(serious.map((v) => v.id), `axe on ${what}:\n${formatViolations(serious)}`).toEqual([]);
}

const choose = (name: string, content: string) => page.getByLabel('File CSV delle iscrizioni').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content) });

describe('ufficio: import and export', () => {
	it('a file with a bad line: the report names line, field and reason, and nothing is imported', async () => {
		page = await s.signIn('ufficio@mazze.example.it');
		await page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name: 'Importa iscrizioni' }).click();
		await page.waitForURL('**/ufficio/importa');
		await settle(page);
		await page.getByText('per l’anno scolastico 2026/27').waitFor();
		await expectAccessible('/ufficio/importa');

		await choose('sbagliato.csv', BAD);
		await page.getByRole('button', { name: 'Verifica (prova senza importare)' }).click();
		const report = page.getByRole('region', { name: 'Verifica di «sbagliato.csv» (anno 2026/27)' });
		await report.waitFor();
		expect(await report.getByRole('row', { name: /^2 / }).textContent()).toBe(`2${pupilCf(1)} (Ada Bianchi)data di nascitaData di nascita non valida: «30/02/2019» (usa GG/MM/AAAA oppure AAAA-MM-GG)`);
		await report.getByText('Il file non si può importare finché ci sono righe con errori.').waitFor();
		await page.getByRole('button', { name: 'Importa', exact: true }).click();
		await page.getByRole('alert').filter({ hasText: 'Nessuna modifica applicata: il file ha righe con errori.' }).waitFor();
		await expectAccessible('/ufficio/importa with errors');
	});

	it('shows the progress the server reports while the upload is being read', async () => {
		// The upload is held until the page has shown a progress answer for the same job id: a
		// real import is over before anyone could look (the answers themselves: integration tests).
		let polledJob = '';
		let posted = '';
		let showProgress: () => void = () => {};
		const shown = new Promise<void>((resolve) => (showProgress = resolve));
		await page.route((url) => url.pathname === '/api/trpc/officeImport.progress', (route) => {
			polledJob = JSON.parse(new URL(route.request().url()).searchParams.get('input')!).jobId;
			return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ result: { data: { phase: 'verifica', done: 5_000, total: 10_000 } } }) });
		});
		await page.route((url) => url.pathname === '/ufficio/importa' && url.search === '?/verifica', async (route) => {
			posted = route.request().postData() ?? '';
			await shown;
			await route.continue();
		});
		const bar = page.getByRole('progressbar', { name: 'Verifica delle righe: 5.000 di 10.000' });
		try {
			await choose('sbagliato.csv', BAD);
			await page.getByRole('button', { name: 'Verifica (prova senza importare)' }).click();
			await bar.waitFor();
			expect(await bar.getAttribute('value')).toBe('5000');
			expect(await page.getByRole('button', { name: 'Importa', exact: true }).isDisabled()).toBe(true);
			await expectAccessible('/ufficio/importa while importing');
		} finally {
			showProgress();
		}
		await page.getByRole('region', { name: 'Verifica di «sbagliato.csv» (anno 2026/27)' }).waitFor();
		await bar.waitFor({ state: 'detached' });
		expect(polledJob).toMatch(/^[0-9a-f-]{36}$/);
		expect(posted).toContain(`name="jobId"\r\n\r\n${polledJob}\r\n`);
		await page.unrouteAll();
	});

	it('200 pupils: checked, imported, then the same file changes nothing', async () => {
		await choose('iscrizioni.csv', pupilsFile(200));
		await page.getByRole('button', { name: 'Verifica (prova senza importare)' }).click();
		const checked = page.getByRole('region', { name: 'Verifica di «iscrizioni.csv» (anno 2026/27)' });
		await checked.getByText('Il file è pronto: premi «Importa» per registrarlo.').waitFor();
		expect(await checked.getByRole('listitem').first().textContent()).toBe('Righe lette: 200; con errori: 0');
		await checked.getByText(`${PRIMARIA} — 4ª C (righe 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 e altre 190)`).waitFor();

		await page.getByRole('button', { name: 'Importa', exact: true }).click();
		await page.getByRole('status').filter({ hasText: 'Importazione completata. Alunni nuovi: 200, aggiornati: 0; iscrizioni nuove: 200, aggiornate: 0.' }).waitFor();
		await page.getByRole('heading', { name: 'Classi che sono state create' }).waitFor();
		await screenshot(page, 'importa-completata');
		await expectAccessible('/ufficio/importa after an import');

		await page.getByRole('button', { name: 'Importa', exact: true }).click();
		await page.getByRole('status').filter({ hasText: 'Nessuna modifica: il Comune ha già tutti i dati di «iscrizioni.csv».' }).waitFor();
	});

	it('Esporta dati: the pupils’ file downloads with the imported pupils', async () => {
		await page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name: 'Esporta dati' }).click();
		await page.waitForURL('**/ufficio/esporta');
		await settle(page);
		await expectAccessible('/ufficio/esporta');
		const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Scarica alunni (alunni.csv)' }).click()]);
		expect(download.suggestedFilename()).toBe('mazze-alunni.csv');
		const text = await readFile((await download.path())!, 'utf8');
		expect(text.startsWith('\uFEFFalunno_id;codice_fiscale;cognome;nome;')).toBe(true);
		expect(text).toContain(`;${pupilCf(199)};Cognome199;Nome199;2018-01-04;`);
		expect(text.trimEnd().split('\r\n')).toHaveLength(1 + 3 + 200);
	});

	it('both pages fit a phone', async () => {
		page = await s.signIn('ufficio@mazze.example.it', { size: 'phone' });
		for (const path of ['/ufficio/importa', '/ufficio/esporta']) {
			await gotoHydrated(page, path);
			const width = await scrollWidth(page);
			expect(width, `${path} scrolls sideways: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(360);
		}
		expect(s.problems).toEqual([]);
	});
});
