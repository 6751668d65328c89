import { beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { eq } from 'drizzle-orm';
import { openDb } from '../../server/db/client.js';
import { tenants, users } from '../../server/db/schema.js';
import { fixedClock } from '../../server/clock.js';
import { tenantScope } from '../../server/db/tenant-scope.js';
import { closeDay } from '../../server/meals/day-close.js';
import { correctDay } from '../../server/meals/corrections.js';
import { axeViolations, formatViolations, gotoHydrated, overflowingElements, screenshot, scrollWidth, settle } from '../helpers/browser.js';

/*
 * Maria, on a phone, tells the school that Luca will be away tomorrow and wants a plain meal
 * today, before the Comune's 09:30 cutoff; after it, the server refuses and the page says so.
 * The server's clock is moved by the test-only endpoint; the phone's clock decides nothing.
 * The day close is off, so that the days stay as the marks left them whatever the real date.
 */

const session = phoneSession({ DAY_CLOSE: 'off' });

const PHONE_WIDTH = 360;
const TUESDAY = '2026-11-24';
const WEDNESDAY = '2026-11-25';
const SATURDAY = '2026-11-28';

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;

async function setServerClock(iso: string) {
	const response = await fetch(`${server.url}/api/test/clock`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: server.url },
		body: JSON.stringify({ now: iso })
	});
	expect(response.status, await response.clone().text()).toBe(200);
}

beforeAll(() => ({ server, browser, context, page, problems } = session));

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });
const day = (date: string) => page.locator(`#giorno-${date}`);
const outcome = (date: string) => page.locator(`#esito-${date}`);
// bootstrap-italia draws the box in the label, over the real input: a finger taps the label.
const tap = (id: string) => page.locator(`label[for="${id}"]`).click();

async function expectNoSidewaysScroll(what: string) {
	const width = await scrollWidth(page);
	expect(width, `${what} scrolls sideways at ${PHONE_WIDTH} px; too wide: ${(await overflowingElements(page)).join(', ')}`).toBeLessThanOrEqual(PHONE_WIDTH);
}

async function expectAccessible(what: string) {
	const violations = await axeViolations(page);
	expect(violations.map((v) => v.id), `axe on ${what}:\n${formatViolations(violations)}`).toEqual([]);
}

/** Service days Monday to Friday, as the demo calendar of a primary school, with no closure in the range. */
function weekdaysBetween(from: string, to: string): string[] {
	const out: string[] = [];
	for (let t = Date.parse(`${from}T12:00:00Z`); t <= Date.parse(`${to}T12:00:00Z`); t += 86_400_000) {
		const d = new Date(t);
		if (d.getUTCDay() >= 1 && d.getUTCDay() <= 5) out.push(d.toISOString().slice(0, 10));
	}
	return out;
}

describe('assenze e pasti in bianco on a phone (360×740)', () => {
	it('opens Luca’s days from his card, on the month of the server’s clock', async () => {
		await setServerClock('2026-11-24T07:00:00Z'); // Tuesday, 08:00 in Rome
		await gotoHydrated(page, '/login/mazze');
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		await settle(page);

		await page.getByRole('link', { name: 'Assenze e pasti in bianco di Luca' }).click();
		await page.waitForURL(/\/consumatori\/\d+\/giorni$/);
		await settle(page);
		lucaId = Number(/consumatori\/(\d+)\//.exec(page.url())![1]);

		await visible(page.getByRole('heading', { level: 1, name: 'Assenze e pasti in bianco — Luca Rossi' }));
		await visible(page.getByRole('heading', { level: 2, name: 'Novembre 2026' }));
		await visible(page.getByText('Oggi modificabile fino alle 09:30'));
		expect(await page.locator('.day-list > li').count()).toBe(30);
		expect((await day('2026-11-03').locator('.day-label').textContent())?.trim()).toBe('Mar 03 Nov');
		expect((await day(TUESDAY).locator('.day-label').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Mar 24 Nov Oggi');
		// Past days are final: no box to tick.
		expect(await day('2026-11-23').locator('input').count()).toBe(0);
		await visible(day('2026-11-23').getByText('Presente'));

		await screenshot(page, 'giorni-novembre');
		await expectNoSidewaysScroll('the day list');
		await expectAccessible('the day list');
	});

	it('marks tomorrow Assente and today Pasto in bianco: both confirmed with the receipt time', async () => {
		await tap(`assenza-${WEDNESDAY}`);
		await expect.poll(() => outcome(WEDNESDAY).textContent()).toMatch(/Registrata alle 08:0\d:\d\d: assente\./);
		// A plain meal makes no sense for a child who is away.
		expect(await page.locator(`#bianco-${WEDNESDAY}`).isDisabled()).toBe(true);

		await tap(`bianco-${TUESDAY}`);
		await expect.poll(() => outcome(TUESDAY).textContent()).toMatch(/Registrata alle 08:0\d:\d\d: pasto in bianco\./);
		expect(await page.locator(`#assenza-${TUESDAY}`).isChecked()).toBe(false);

		await screenshot(page, 'giorni-segnati');
		await expectNoSidewaysScroll('the day list after marking');
		await expectAccessible('the day list after marking');
	});

	it('keeps both after a reload, with the receipt next to each day', async () => {
		await page.reload({ waitUntil: 'networkidle' });
		expect(await page.locator(`#assenza-${WEDNESDAY}`).isChecked()).toBe(true);
		expect(await page.locator(`#bianco-${TUESDAY}`).isChecked()).toBe(true);
		expect(await page.locator(`#assenza-${TUESDAY}`).isChecked()).toBe(false);
		for (const date of [TUESDAY, WEDNESDAY]) expect(await day(date).locator('.receipt').textContent()).toMatch(/^Registrata alle 08:0\d:\d\d$/);
		expect(await day('2026-11-26').locator('.receipt').count()).toBe(0);
	});

	it('shows Saturday as a day without service', async () => {
		await visible(day(SATURDAY).getByText('Servizio non disponibile'));
		expect(await day(SATURDAY).locator('input').count()).toBe(0);
		expect(await day(SATURDAY).locator('.day-label').textContent()).toContain('Sab 28 Nov');
	});

	it('shows the history of a day: who, when, from where, with what outcome', async () => {
		await day(WEDNESDAY).getByText('Storico').click();
		const entry = day(WEDNESDAY).locator('.day-history li');
		await visible(entry);
		expect(await entry.count()).toBe(1);
		expect((await entry.textContent())?.replace(/\s+/g, ' ')).toMatch(/^Assenza segnata il 24\/11\/2026 alle 08:0\d:\d\d, dal genitore \(app\): registrata \(ricevuta R[A-Z0-9]+\)/);
		await expectAccessible('the day list with a history open');
	});

	it('after 09:30 refuses a change to today with the server’s message, and the box goes back', async () => {
		await setServerClock('2026-11-24T08:30:00Z'); // 09:30:00 in Rome: the cutoff itself is too late
		// The page was loaded before: it still offers the box, and only the server can say no.
		await tap(`assenza-${TUESDAY}`);
		await expect.poll(() => outcome(TUESDAY).textContent()).toContain("Oltre l'orario limite (09:30): contatta l'ufficio scuola");
		expect(await outcome(TUESDAY).getAttribute('role')).toBe('status');
		expect(await page.locator(`#assenza-${TUESDAY}`).isChecked()).toBe(false);
		expect(await page.locator(`#bianco-${TUESDAY}`).isChecked()).toBe(true);
		await visible(page.getByText('Le modifiche per oggi sono chiuse'));
		await screenshot(page, 'giorni-rifiutato');
		await expectNoSidewaysScroll('the day list with a refusal');
		await expectAccessible('the day list with a refusal');

		// The refusal changed nothing, and the refused attempt is in the day's history.
		await page.reload({ waitUntil: 'networkidle' });
		await visible(page.getByText('Le modifiche per oggi sono chiuse'));
		expect(await day(TUESDAY).locator('input').count()).toBe(0);
		expect(await day(TUESDAY).locator('.final-state').textContent()).toBe('Pasto in bianco');
		await day(TUESDAY).getByText('Storico').click();
		await expect.poll(() => day(TUESDAY).locator('.day-history li').count()).toBe(2);
		expect(await day(TUESDAY).locator('.day-history li').nth(1).textContent()).toMatch(/Assenza segnata il 24\/11\/2026 alle 09:30:\d\d, dal genitore \(app\):\s*rifiutata \(oltre l’orario limite\)/);
	});

	it('marks a period: 1–5 December Assente, one mark per service day', async () => {
		const serviceDays = weekdaysBetween('2026-12-01', '2026-12-05');
		expect(serviceDays).toEqual(['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);

		await page.locator('#periodo-dal').fill('2026-12-01');
		await page.locator('#periodo-al').fill('2026-12-05');
		expect(await page.locator('#periodo-assenza').isChecked()).toBe(true);
		expect(await page.locator('#periodo-segna').isChecked()).toBe(true);
		await page.getByRole('button', { name: 'Invia il periodo' }).click();
		const summary = page.locator('#periodo-esito');
		await expect.poll(() => summary.textContent()).toContain(`${serviceDays.length} giorni registrati.`);
		expect(await summary.textContent()).toContain('1 giorno senza servizio o non più modificabile non è stato inviato.');
		expect(await summary.textContent()).not.toContain('rifiutat');
		await screenshot(page, 'giorni-periodo');
		await expectNoSidewaysScroll('the day list after a period');
		await expectAccessible('the day list after a period');

		await page.getByRole('link', { name: 'Mese successivo: Dicembre 2026' }).click();
		await page.waitForURL(/\?mese=2026-12$/);
		await visible(page.getByRole('heading', { level: 2, name: 'Dicembre 2026' }));
		for (const date of serviceDays) expect(await page.locator(`#assenza-${date}`).isChecked(), date).toBe(true);
		await visible(day('2026-12-05').getByText('Servizio non disponibile'));
		// The Christmas closure of the demo calendar, with its reason.
		await visible(day('2026-12-23').getByText('Vacanze di Natale'));
		await screenshot(page, 'giorni-dicembre');
		await expectNoSidewaysScroll('December');
		await expectAccessible('December');
	});

	it('a day the ufficio corrected after its close: the history lists the correction, with its reason', async () => {
		// The close and the correction through the server's own functions, on its database file.
		const db = openDb(server.dbPath);
		try {
			const clock = fixedClock('2026-11-24T10:00:00Z');
			const mazze = db.select().from(tenants).where(eq(tenants.slug, 'mazze')).get()!;
			closeDay(db, clock, mazze, TUESDAY);
			const ufficio = db.select().from(users).where(eq(users.email, 'ufficio@mazze.example.it')).get()!;
			const correction = { consumerId: lucaId, date: TUESDAY, assenza: true, pastoInBianco: false, reason: 'Uscito prima di pranzo' };
			expect(correctDay(db, clock, tenantScope(mazze.id), mazze, { userId: ufficio.id, schoolIds: null }, correction)).toMatchObject({ status: 'corrected' });
		} finally {
			db.$client.close();
		}
		await gotoHydrated(page, `/consumatori/${lucaId}/giorni?mese=2026-11`);
		expect(await day(TUESDAY).locator('.final-state').textContent()).toBe('Assente, nessun addebito');
		await day(TUESDAY).getByText('Storico').click();
		// One correction sets both kinds under one receipt: two entries, both shown.
		const byUfficio = day(TUESDAY).locator('.day-history li').filter({ hasText: 'Uscito prima di pranzo' });
		await expect.poll(() => byUfficio.count()).toBe(2);
		expect((await byUfficio.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())).toEqual([
			expect.stringMatching(/^Assenza segnata il 24\/11\/2026 alle 11:00:00, dall’ufficio scuola: registrata \(ricevuta C\w+\) Motivo: Uscito prima di pranzo$/),
			expect.stringMatching(/^Pasto in bianco tolto il 24\/11\/2026 alle 11:00:00, dall’ufficio scuola: registrata \(ricevuta C\w+\) Motivo: Uscito prima di pranzo$/)
		]);
	});

	it('is linked from the consumer’s page too', async () => {
		await gotoHydrated(page, `/consumatori/${lucaId}`);
		await page.getByRole('link', { name: 'Assenze e pasti in bianco' }).click();
		await page.waitForURL(`**/consumatori/${lucaId}/giorni`);
		await visible(page.getByRole('heading', { level: 2, name: 'Novembre 2026' }));
	});

	it('ran without script errors or CSP violations', () => {
		expect(problems).toEqual([]);
	});
});
