import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { staffSession, submitNewComune } from '../helpers/e2e.js';
import { linkIn } from '../helpers/smtp.js';
import { authenticatorCode } from '../helpers/second-factor.js';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { pdfPages } from '../helpers/pdf-text.js';
import { gotoHydrated, settle } from '../helpers/browser.js';
import { HEADER, pupilCf } from '../../server/consumers/import/test-files.js';
import { codiceFiscaleCheckChar } from '../../src/lib/shared/codice-fiscale.js';

/*
 * Issue 7's run of a new Comune from zero, in Chromium against the real server, its day-close
 * scheduler and its SMTP server: the admin creates Calùso and invites its operator; the operator
 * sets the school year, school, class, calendar and tariffs, imports 200 pupils and prints the
 * letters; a mother registers, activates her son with the code from his letter and marks him
 * absent on Wednesday; the server's clock moves past Wednesday's cutoff and the scheduler closes
 * Tuesday and Wednesday; the kitchen sees 199 meals, the morosi list every pupil (no top-ups) and
 * the mother gets the sollecito. One `it` per step, sharing the state of the steps before.
 */

// The server starts on Monday 23 November 2026, 12:00 in Rome (tests/helpers/server.ts).
const TUESDAY = '2026-11-24';
const WEDNESDAY = '2026-11-25';
const OPERATOR = { email: 'paola.neri@caluso.example.it', password: 'Refezione-Caluso-2026' };
const SCHOOL = 'Scuola primaria di Caluso';
const BAND = 'Tariffa unica';
const withCheck = (first15: string) => first15 + codiceFiscaleCheckChar(first15);
const mother = { givenName: 'Lucia', familyName: 'Bianchi', codiceFiscale: withCheck('BNCLCU85M41L219'), email: 'lucia.bianchi@example.com', password: 'Mensa-Caluso-2026!' };
const son = { givenName: 'Tommaso', familyName: 'Bianchi', codiceFiscale: withCheck('BNCTMS18A01L219'), birth: '01/01/2018' };

/** The i-th of many distinct valid fiscal codes of parents born in 1980: one family per pupil. */
function applicantCf(i: number): string {
	const letters = 'BCDFGHLMNPRSTVZ';
	let name = '';
	for (let n = i, k = 0; k < 6; k++, n = Math.floor(n / letters.length)) name += letters[n % letters.length];
	return withCheck(`${name}80A${String((i % 28) + 1).padStart(2, '0')}L219`);
}

/** 200 pupils: Tommaso and 99 others in the class the operator made, 100 in a class the import makes. */
function pupilsCsv(): string {
	const lines = [HEADER, [son.codiceFiscale, son.familyName, son.givenName, son.birth, SCHOOL, '1ª A', 'Mensa', BAND, mother.codiceFiscale, 'Lucia Bianchi', mother.email, ''].join(';')];
	for (let i = 1; i < 200; i++) {
		const born = `${String((i % 28) + 1).padStart(2, '0')}/01/2018`;
		lines.push([pupilCf(i), `Cognome${i}`, `Nome${i}`, born, SCHOOL, i < 100 ? '1ª A' : '1ª B', 'Mensa', BAND, applicantCf(i), `Genitore${i} Cognome${i}`, '', ''].join(';'));
	}
	return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// The day close left on: the scheduler closes the days as the server's clock passes each cutoff.
const s = staffSession({}, { timeoutMs: 15_000 });
let page: Page;
/** the operator's page, kept across the steps */
let office: Page;
/** the code printed on Tommaso's letter */
let tommasoCode = '';

async function setServerClock(iso: string) {
	const response = await fetch(`${s.server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: s.server.url }, body: JSON.stringify({ now: iso }) });
	expect(response.status, await response.clone().text()).toBe(200);
}

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });
const menu = (name: string) => page.getByRole('navigation', { name: 'Menù principale' }).getByRole('link', { name, exact: true });
const cells = (table: Locator, row: string) => table.getByRole('row', { name: new RegExp(`^${row}`) }).getByRole('cell').allTextContents();

describe('a new Comune from zero to the first sollecito', () => {
	it('the platform admin creates the Comune and invites its operator', async () => {
		page = await s.signIn('admin@mensa-aperta.example', { at: '/admin/login' });
		await page.waitForURL('**/admin');
		await submitNewComune(page, '83001730015');
		await page.waitForURL(/\/admin\/comuni\/\d+\?creato$/);
		await settle(page);
		expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Comune di Calùso');

		await page.locator('#operatore-givenName').fill('Paola');
		await page.locator('#operatore-familyName').fill('Neri');
		await page.locator('#operatore-email').fill(OPERATOR.email);
		await page.getByRole('button', { name: 'Invia l’invito' }).click();
		await visible(page.getByText(`Invito inviato a ${OPERATOR.email}`));
	});

	it('the operator opens the invitation from the e-mail, sets a password and signs in', async () => {
		const mail = await s.server.smtp.waitFor(OPERATOR.email);
		const link = linkIn(mail, '/invito?token=');
		page = office = await s.newPage('desktop');
		await gotoHydrated(page, `${link.pathname}${link.search}`);
		await visible(page.getByText('sei stato invitato a Mensa Aperta dal Comune di Calùso'));
		await page.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
		await page.getByLabel('Ripeti la password').fill(OPERATOR.password);
		await page.getByRole('button', { name: 'Attiva l’accesso' }).click();
		await page.waitForURL('**/login/caluso?attivato');
		await visible(page.getByText('Accesso attivato: entra con la tua e-mail e la password appena scelta.'));
		await settle(page);
		await page.locator('#email').fill(OPERATOR.email);
		await page.locator('#password').fill(OPERATOR.password);
		await page.getByRole('button', { name: 'Accedi' }).click();

		// Staff give a second factor: at the first sign-in the authenticator app is set up.
		await page.waitForURL('**/accesso/codice');
		await visible(page.getByRole('heading', { name: 'Attiva l’app di autenticazione' }));
		await visible(page.getByRole('img', { name: 'Codice QR della chiave per l’app di autenticazione' }));
		const key = decodeBase32IgnorePadding((await page.getByTestId('totp-secret').innerText()).replace(/\s/g, ''));
		await page.getByLabel('Codice mostrato dall’app').fill('123456');
		await page.getByRole('button', { name: 'Attiva e accedi' }).click();
		await visible(page.getByText('Codice non valido o già usato: controlla che l’ora del telefono sia giusta e riprova.'));
		await page.getByLabel('Codice mostrato dall’app').fill(await authenticatorCode(s.server.url, OPERATOR.email, key));
		await page.getByRole('button', { name: 'Attiva e accedi' }).click();
		await visible(page.getByRole('heading', { name: 'App di autenticazione attivata' }));
		expect(await page.getByRole('list', { name: 'Codici di recupero' }).getByRole('listitem').allInnerTexts()).toHaveLength(10);
		await page.getByRole('link', { name: 'Ho salvato i codici, continua' }).click();
		await page.waitForURL('**/ufficio');
		await settle(page);
		await visible(page.getByText('Comune di Calùso').first());
	});

	it('the operator creates the school year, the school and a class', async () => {
		await menu('Scuole').click();
		await page.waitForURL('**/ufficio/scuole');
		await settle(page);
		await visible(page.getByText('Nessun anno scolastico: crea il primo.'));
		await page.locator('#nuovo-anno-label').fill('2026/27');
		await page.locator('#nuovo-anno-firstDay').fill('2026-09-14');
		await page.locator('#nuovo-anno-lastDay').fill('2027-06-10');
		await page.getByRole('button', { name: 'Crea l’anno scolastico' }).click();
		await visible(page.getByText('Anno scolastico 2026/27 salvato: dal 14/09/2026 al 10/06/2027.'));

		await page.locator('#nuova-scuola-name').fill(SCHOOL);
		await page.locator('#nuova-scuola-address').fill('Via Roma 1');
		await page.getByRole('button', { name: 'Crea la scuola' }).click();
		await visible(page.getByRole('heading', { name: SCHOOL }));
		await page.getByLabel(`Nuova classe in ${SCHOOL}`).fill('1ª A');
		await page.getByRole('button', { name: 'Aggiungi la classe' }).click();
		await visible(page.getByText('Classe «1ª A» salvata.'));
	});

	it('the operator sets the calendar: lunch Monday to Friday', async () => {
		await menu('Calendario').click();
		await page.waitForURL('**/ufficio/calendario');
		await settle(page);
		await visible(page.getByText('Anno scolastico 2026/27', { exact: false }));
		const form = page.getByRole('form', { name: SCHOOL });
		for (const day of ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì']) expect(await form.getByRole('checkbox', { name: day, exact: true }).isChecked()).toBe(true);
		for (const day of ['sabato', 'domenica']) expect(await form.getByRole('checkbox', { name: day, exact: true }).isChecked()).toBe(false);
		await form.getByRole('button', { name: 'Salva il calendario' }).click();
		// Today (Monday) is past its cutoff and closed by the scheduler: the calendar holds from Tuesday.
		await visible(form.getByRole('status').filter({ hasText: `Calendario di ${SCHOOL} salvato: la modifica vale dal 24/11/2026.` }));
	});

	it('the operator sets the tariffs: a service group, its service and a band with its price', async () => {
		await menu('Tariffe').click();
		await page.waitForURL('**/ufficio/tariffe');
		await settle(page);
		await visible(page.getByText('Nessun gruppo di servizi.'));
		await visible(page.getByText('Nessuna fascia: aggiungine una qui sotto.'));

		const group = page.getByRole('form', { name: 'Nuovo gruppo di servizi' });
		await group.getByLabel('Nome del gruppo').fill('Refezione');
		await group.getByRole('button', { name: 'Aggiungi il gruppo' }).click();
		await visible(group.getByRole('status').filter({ hasText: 'Gruppo «Refezione» aggiunto.' }));
		const service = page.getByRole('form', { name: 'Nuovo servizio' });
		await service.getByLabel('Nome del servizio').fill('Mensa');
		await service.getByRole('button', { name: 'Aggiungi il servizio' }).click();
		await visible(service.getByRole('status').filter({ hasText: 'Servizio «Mensa» aggiunto.' }));
		await expect.poll(() => page.getByRole('listitem').filter({ hasText: 'Refezione:' }).textContent()).toBe('Refezione: Mensa');

		const band = page.getByRole('form', { name: 'Nuova fascia' });
		await band.getByLabel('Nome della fascia').fill(BAND);
		await band.getByLabel('Prezzo a pasto (€)').fill('4,50');
		await band.getByRole('button', { name: 'Aggiungi la fascia' }).click();
		await visible(band.getByRole('status').filter({ hasText: `Fascia «${BAND}» aggiunta.` }));
		await expect.poll(() => page.getByRole('row', { name: new RegExp(BAND) }).getByRole('cell').first().textContent()).toBe('4,50 €');
	});

	it('the operator imports 200 pupils from a CSV: checked first, then imported, the missing class created', async () => {
		await menu('Importa iscrizioni').click();
		await page.waitForURL('**/ufficio/importa');
		await settle(page);
		await visible(page.getByText('per l’anno scolastico 2026/27'));
		await page.getByLabel('File CSV delle iscrizioni').setInputFiles({ name: 'iscrizioni-caluso.csv', mimeType: 'text/csv', buffer: Buffer.from(pupilsCsv()) });
		await page.getByRole('button', { name: 'Verifica (prova senza importare)' }).click();
		const checked = page.getByRole('region', { name: 'Verifica di «iscrizioni-caluso.csv» (anno 2026/27)' });
		await visible(checked.getByText('Il file è pronto: premi «Importa» per registrarlo.'));
		expect(await checked.getByRole('listitem').first().textContent()).toBe('Righe lette: 200; con errori: 0');
		await visible(checked.getByText(`${SCHOOL} — 1ª B`, { exact: false }));

		await page.getByRole('button', { name: 'Importa', exact: true }).click();
		await visible(page.getByRole('status').filter({ hasText: 'Importazione completata. Alunni nuovi: 200, aggiornati: 0; iscrizioni nuove: 200, aggiornate: 0.' }));
		await visible(page.getByRole('heading', { name: 'Classi che sono state create' }));
	});

	it('the operator prints the letters: one per family, each with its activation code', async () => {
		await menu('Alunni').click();
		await page.waitForURL('**/ufficio/consumatori');
		await settle(page);
		await page.getByRole('link', { name: 'Lettere di iscrizione' }).click();
		await page.waitForURL('**/ufficio/consumatori/lettere');
		await settle(page);
		expect(await page.getByLabel('Per chi').locator('option:checked').textContent()).toBe('Tutte le iscrizioni in corso');
		const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByRole('button', { name: 'Stampa le lettere (PDF)' }).click()]);
		const pages = pdfPages(new Uint8Array(readFileSync((await download.path())!)));
		const codes = pages.join('\n').match(/\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/g) ?? [];
		expect(new Set(codes).size).toBe(200);
		const letter = pages.filter((p) => p.includes('Tommaso Bianchi'));
		expect(letter).toHaveLength(1);
		for (const s of ['Comune di Calùso', 'Lucia Bianchi', 'classe 1ª A', 'Collega un figlio con il codice di attivazione']) expect(letter[0]).toContain(s);
		tommasoCode = letter[0].match(/\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b/)![0];
	});

	it('the mother registers in the Comune and confirms her e-mail', async () => {
		page = await s.newPage('phone');
		await gotoHydrated(page, '/login/caluso');
		await page.getByRole('link', { name: 'Registrati' }).click();
		await page.waitForURL('**/login/caluso/registrati');
		await settle(page);
		await page.locator('#givenName').fill(mother.givenName);
		await page.locator('#familyName').fill(mother.familyName);
		await page.locator('#codiceFiscale').fill(mother.codiceFiscale);
		await page.locator('#email').fill(mother.email);
		await page.locator('#password').fill(mother.password);
		await page.locator('label[for="privacy"]').click();
		await page.getByRole('button', { name: 'Registrati' }).click();
		await visible(page.getByRole('status').filter({ hasText: 'Controlla la posta' }));

		const mail = await s.server.smtp.waitFor(mother.email, (m) => m.subject.includes('Conferma'));
		await page.goto(linkIn(mail, '/verifica').href);
		await visible(page.getByText('Indirizzo confermato. Ora puoi accedere.'));
		await page.getByRole('link', { name: 'Vai all’accesso' }).click();
		await page.waitForURL(/\/login\/caluso\?verificato/);
		await settle(page);
		await page.locator('#email').fill(mother.email);
		await page.locator('#password').fill(mother.password);
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await settle(page);
		await visible(page.getByText('Non ci sono ancora figli collegati al tuo profilo.'));
	});

	it('the mother links Tommaso with the code from his letter', async () => {
		await page.getByLabel('Codice di attivazione').fill(tommasoCode);
		await page.getByRole('button', { name: 'Collega' }).click();
		await visible(page.getByRole('status').filter({ hasText: 'Tommaso: collegamento completato.' }));
		const card = page.locator('article').filter({ has: page.getByRole('heading', { name: 'Tommaso Bianchi' }) });
		await visible(card);
		expect((await card.locator('dt, dd').allTextContents()).map((t) => t.trim())).toEqual(['Scuola', SCHOOL, 'Classe', '1ª A']);
	});

	it('the mother marks Tommaso absent on Wednesday in his day list', async () => {
		await page.getByRole('link', { name: 'Assenze e pasti in bianco di Tommaso' }).click();
		await page.waitForURL(/\/consumatori\/\d+\/giorni$/);
		await settle(page);
		await visible(page.getByRole('heading', { level: 1, name: 'Assenze e pasti in bianco — Tommaso Bianchi' }));
		await page.locator(`label[for="assenza-${WEDNESDAY}"]`).click();
		await expect.poll(() => page.locator(`#esito-${WEDNESDAY}`).textContent()).toMatch(/Registrata alle \d{2}:\d{2}:\d{2}: assente\./);
		await page.reload({ waitUntil: 'networkidle' });
		expect(await page.locator(`#assenza-${WEDNESDAY}`).isChecked()).toBe(true);
		expect(await page.locator(`#assenza-${TUESDAY}`).isChecked()).toBe(false);
	});

	it('before the cutoff the kitchen report for Wednesday is a forecast of 199 meals', async () => {
		page = s.page = office;
		await gotoHydrated(page, `/cucina?data=${WEDNESDAY}`);
		await visible(page.getByRole('heading', { name: 'Pasti del giorno', level: 1 }));
		await visible(page.getByText('Previsione — si aggiorna fino alle 09:30'));
		expect(await cells(page.getByTestId('totali'), 'Totale ')).toEqual(['199', '0', '199', '—']);
	});

	it('past Wednesday’s cutoff the scheduler closes the day: the kitchen report is final, 99 + 100 meals', async () => {
		// Wednesday 09:40 in Rome: Tuesday and Wednesday are both due.
		await setServerClock(`${WEDNESDAY}T08:40:00Z`);
		await expect
			.poll(
				async () => {
					await page.reload({ waitUntil: 'networkidle' });
					return page.getByText(/^Definitivo — chiuso alle 09:40:\d{2}$/).count();
				},
				{ timeout: 30_000, interval: 1_000 }
			)
			.toBe(1);
		const school = page.getByRole('table').filter({ has: page.getByRole('rowheader', { name: '1ª A' }) });
		expect(await cells(school, '1ª A')).toEqual(['99', '0', '99', '—']);
		expect(await cells(school, '1ª B')).toEqual(['100', '0', '100', '—']);
		expect(await cells(page.getByTestId('totali'), 'Totale ')).toEqual(['199', '0', '199', '—']);
		// Tuesday, closed by the same run: everyone ate.
		await gotoHydrated(page, `/cucina?data=${TUESDAY}`);
		expect(await cells(page.getByTestId('totali'), 'Totale ')).toEqual(['200', '0', '200', '—']);
	});

	it('with no top-ups every pupil is in the morosi; Tommaso, absent on Wednesday, owes one meal', async () => {
		await menu('Morosi').click();
		await page.waitForURL('**/ufficio/morosi');
		await settle(page);
		// 200 meals on Tuesday and 199 on Wednesday at 4,50 €.
		await visible(page.getByText(/^200 saldi negativi, totale dovuto 1\.795,50 €(; pagina 1 di \d+)?\.$/));
		const rows = page.getByRole('table', { name: 'Morosi del Comune' }).locator('tbody tr');
		expect((await rows.first().innerText()).replace(/\s+/g, ' ')).toContain('9,00 €');
		// The smallest debt first: Tommaso's.
		await page.getByRole('columnheader', { name: /^Dovuto/ }).getByRole('link').click();
		await page.waitForURL(/verso=asc/);
		await settle(page);
		const first = (await rows.first().innerText()).replace(/\s+/g, ' ');
		for (const s of ['Bianchi Tommaso', son.codiceFiscale, SCHOOL, '1ª A', 'Refezione', '4,50 €', 'dal 24/11/2026', 'Mai']) expect(first).toContain(s);
	});

	it('the operator sends Tommaso’s sollecito and his mother receives it', async () => {
		await page.getByRole('checkbox', { name: 'Seleziona Tommaso Bianchi (Refezione)' }).check();
		await page.getByLabel('Agli alunni selezionati (1)').check();
		await page.getByRole('button', { name: 'Anteprima dei solleciti' }).click();
		await visible(page.getByText(`Prima e-mail, a ${mother.email} — «Sollecito: saldo negativo di Tommaso Bianchi (Refezione) — Comune di Calùso»`));
		await page.getByRole('button', { name: 'Conferma e invia 1 e-mail' }).click();
		await visible(page.getByRole('status').filter({ hasText: 'Solleciti inviati: 1 e-mail.' }));

		const mail = await s.server.smtp.waitFor(mother.email, (m) => m.subject.startsWith('Sollecito'));
		expect(mail.subject).toBe('Sollecito: saldo negativo di Tommaso Bianchi (Refezione) — Comune di Calùso');
		expect(mail.text).toContain('il saldo del servizio Refezione di Tommaso Bianchi è negativo dal 24/11/2026: mancano 4,50 €.');
		// Only to her: the other families were not selected.
		expect(s.server.smtp.received.filter((m) => m.subject.startsWith('Sollecito')).map((m) => m.to)).toEqual([mother.email]);
		const rows = page.getByRole('table', { name: 'Morosi del Comune' }).locator('tbody tr');
		await expect.poll(async () => (await rows.first().innerText()).replace(/\s+/g, ' ')).toContain('25/11/2026');
		expect(s.problems).toEqual([]);
	});
});
