import { beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { phoneSession } from '../helpers/e2e.js';
import { axeViolations, formatViolations, gotoHydrated, screenshot } from '../helpers/browser.js';
import { loginOnPage, readStore as readStoreOf } from '../helpers/pwa.js';
import { testClient } from '../helpers/client.js';
import { linkIn } from '../helpers/smtp.js';

/*
 * Maria, at 08:00 with no signal, marks Luca away tomorrow, a plain meal today and a plain-meal
 * period: the page shows each at once as waiting. The network comes back at 09:31 on the
 * server's clock: the marks for other days are applied with the ids queued on the phone, the
 * one for today is refused with the server's reason and the box goes back to the server's state.
 * While the phone is offline the server is down too, and it comes back as a new process on the
 * same data: what the phone kept is all there is.
 */

const session = phoneSession({ DAY_CLOSE: 'off' });

const TUESDAY = '2026-11-24';
const WEDNESDAY = '2026-11-25';
const PERIOD = ['2026-11-26', '2026-11-27'];
const CUTOFF_REFUSAL = "Oltre l'orario limite (09:30): contatta l'ufficio scuola";

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];
let lucaId: number;
let queuedIds: string[] = [];

async function setServerClock(iso: string) {
	const response = await fetch(`${server.url}/api/test/clock`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: server.url },
		body: JSON.stringify({ now: iso })
	});
	expect(response.status, await response.clone().text()).toBe(200);
}

const readStore = (store: string) => readStoreOf(page, store);

function withDb<T>(read: (db: Database.Database) => T): T {
	const db = new Database(server.dbPath, { readonly: true });
	try {
		return read(db);
	} finally {
		db.close();
	}
}

beforeAll(async () => {
	({ server, browser, context, page, problems } = session);
	lucaId = withDb((db) => (db.prepare(`SELECT id FROM consumers WHERE given_name = 'Luca'`).get() as { id: number }).id);
});

const visible = (locator: Locator) => locator.waitFor({ state: 'visible' });
const outcome = (date: string) => page.locator(`#esito-${date}`);
const tap = (id: string) => page.locator(`label[for="${id}"]`).click();
const checked = (id: string) => page.locator(`#${id}`).isChecked();

describe('marks made offline, sent when the network comes back', () => {
	it('opens Luca’s days online and keeps them on the phone', async () => {
		await setServerClock('2026-11-24T07:00:00Z'); // Tuesday, 08:00 in Rome
		await loginOnPage(page, 'maria.rossi@example.com');
		await gotoHydrated(page, `/consumatori/${lucaId}/giorni`);
		await visible(page.getByText('Oggi modificabile fino alle 09:30'));
		// The month shown, within the offline copy of every day from October to February.
		await expect.poll(async () => (await readStore('days')).filter((d) => d.consumerId === lucaId && String(d.date).startsWith('2026-11')).length).toBe(30);
	});

	it('offline: each mark is shown at once as waiting, with the warning for today', async () => {
		await context.setOffline(true);
		await server.halt();
		await tap(`assenza-${WEDNESDAY}`);
		expect(await checked(`assenza-${WEDNESDAY}`)).toBe(true);
		await expect.poll(() => outcome(WEDNESDAY).textContent()).toBe('In attesa di invio');

		await tap(`bianco-${TUESDAY}`);
		expect(await checked(`bianco-${TUESDAY}`)).toBe(true);
		await expect.poll(() => outcome(TUESDAY).textContent()).toBe('In attesa di invio');
		await visible(page.getByText('Sei offline: le modifiche per oggi saranno accettate solo se arrivano prima delle 09:30'));

		await page.locator('#periodo-dal').fill(PERIOD[0]);
		await page.locator('#periodo-al').fill(PERIOD[1]);
		await page.locator('label[for="periodo-bianco"]').click();
		await page.getByRole('button', { name: 'Invia il periodo' }).click();
		await expect.poll(() => page.locator('#periodo-esito').textContent()).toContain('2 in attesa di invio. Saranno inviati appena torna la rete.');
		for (const date of PERIOD) {
			expect(await checked(`bianco-${date}`), date).toBe(true);
			expect(await outcome(date).textContent(), date).toBe('In attesa di invio');
		}

		const outbox = await readStore('outbox');
		expect(outbox.map((i) => [i.date, i.kind, i.value, i.state]).sort()).toEqual([
			[TUESDAY, 'pastoInBianco', true, 'pending'],
			[WEDNESDAY, 'assenza', true, 'pending'],
			[PERIOD[0], 'pastoInBianco', true, 'pending'],
			[PERIOD[1], 'pastoInBianco', true, 'pending']
		].sort());
		queuedIds = outbox.map((i) => String(i.mutationId));
		// Nothing reached the server.
		expect(withDb((db) => db.prepare(`SELECT count(*) AS n FROM mark_events WHERE consumer_id = ?`).get(lucaId))).toEqual({ n: 0 });

		await screenshot(page, 'giorni-offline');
		const violations = await axeViolations(page);
		expect(violations.map((v) => v.id), formatViolations(violations)).toEqual([]);
	});

	it('back online after 09:30: the other days are confirmed, today is refused with the server’s reason and rolled back', async () => {
		await server.restart({ MENSA_TEST_NOW: '2026-11-24T08:31:00Z' }); // 09:31 in Rome
		await context.setOffline(false);

		await expect.poll(() => outcome(WEDNESDAY).textContent()).toMatch(/^✓\s?Registrata alle 09:31:\d\d: assente\.$/);
		for (const date of PERIOD) await expect.poll(() => outcome(date).textContent()).toMatch(/^✓\s?Registrata alle 09:31:\d\d: pasto in bianco\.$/);
		await expect.poll(() => outcome(TUESDAY).textContent()).toMatch(/^✗\s?Non registrata: /);
		expect(await outcome(TUESDAY).textContent()).toContain(CUTOFF_REFUSAL);
		expect(await checked(`bianco-${TUESDAY}`)).toBe(false);
		expect(await checked(`assenza-${WEDNESDAY}`)).toBe(true);
		await visible(page.getByText('Le modifiche per oggi sono chiuse'));
		expect(await page.getByText('Sei offline').count()).toBe(0);
		// Each answer shown is forgotten: nothing waits on the phone.
		await expect.poll(async () => (await readStore('outbox')).length).toBe(0);

		const events = withDb((db) => db.prepare(`SELECT mutation_id, date, kind, outcome, code FROM mark_events WHERE consumer_id = ? ORDER BY date`).all(lucaId)) as { mutation_id: string; date: string; kind: string; outcome: string; code: string | null }[];
		expect(events.map((e) => [e.date, e.kind, e.outcome, e.code])).toEqual([
			[TUESDAY, 'pastoInBianco', 'rejected', 'CUTOFF_PASSED'],
			[WEDNESDAY, 'assenza', 'applied', null],
			[PERIOD[0], 'pastoInBianco', 'applied', null],
			[PERIOD[1], 'pastoInBianco', 'applied', null]
		]);
		// The ids queued on the phone are the ones the server recorded: one effect per mark.
		expect(events.map((e) => e.mutation_id).sort()).toEqual([...queuedIds].sort());
		const marks = withDb((db) => db.prepare(`SELECT date, assenza, pasto_in_bianco AS bianco FROM day_marks WHERE consumer_id = ? ORDER BY date`).all(lucaId));
		expect(marks).toEqual([
			{ date: WEDNESDAY, assenza: 1, bianco: 0 },
			{ date: PERIOD[0], assenza: 0, bianco: 1 },
			{ date: PERIOD[1], assenza: 0, bianco: 1 }
		]);
		await screenshot(page, 'giorni-tornato-online');
	});

	it('after a reload shows the server’s state, with nothing waiting', async () => {
		await page.reload({ waitUntil: 'networkidle' });
		expect(await checked(`assenza-${WEDNESDAY}`)).toBe(true);
		for (const date of PERIOD) expect(await checked(`bianco-${date}`), date).toBe(true);
		expect(await page.locator(`#giorno-${TUESDAY} .final-state`).textContent()).toBe('Presente');
		expect(await page.getByText('In attesa di invio').count()).toBe(0);
	});

	it('a lost answer: the mark is sent again with the same id and takes effect once', async () => {
		const MONDAY = '2026-11-30';
		let lost = 0;
		// The first request reaches the server, its answer never reaches the phone (the context's
		// route sees the service worker's requests too: the marks go through it).
		await context.route('**/api/trpc/meals.mark*', async (route) => {
			if (lost++ > 0) return route.continue();
			await route.fetch();
			await route.abort('failed');
		});
		await tap(`assenza-${MONDAY}`);
		// Back in the outbox once the failure is known, with the id it was sent with.
		await expect.poll(async () => (await readStore('outbox')).map((i) => [i.date, i.state, i.attempts])).toEqual([[MONDAY, 'pending', 1]]);
		// The service worker's Background Sync may already have sent it again: it changes nothing.
		expect(lost).toBeGreaterThanOrEqual(1);
		expect(await outcome(MONDAY).textContent()).toBe('In attesa di invio');
		expect(withDb((db) => db.prepare(`SELECT count(*) AS n FROM mark_events WHERE consumer_id = ? AND date = ?`).get(lucaId, MONDAY))).toEqual({ n: 1 });

		// Coming back to the app sends what waits.
		await page.evaluate(() => window.dispatchEvent(new Event('focus')));
		await expect.poll(() => outcome(MONDAY).textContent()).toMatch(/^✓\s?Registrata alle 09:31:\d\d: assente\.$/);
		expect(lost).toBeGreaterThanOrEqual(2);
		await context.unroute('**/api/trpc/meals.mark*');
		const events = withDb((db) => db.prepare(`SELECT mutation_id, outcome FROM mark_events WHERE consumer_id = ? AND date = ?`).all(lucaId, MONDAY));
		expect(events).toEqual([{ mutation_id: expect.any(String), outcome: 'applied' }]);
		expect(withDb((db) => db.prepare(`SELECT assenza FROM day_marks WHERE consumer_id = ? AND date = ?`).get(lucaId, MONDAY))).toEqual({ assenza: 1 });
	});

	it('after a long spell offline, a first send that fails on the network just back is tried again within seconds', async () => {
		const FRIDAY = PERIOD[1];
		await context.setOffline(true);
		await tap(`bianco-${FRIDAY}`);
		// Three tries with no network: the next one would be 15 s away.
		await expect.poll(async () => (await readStore('outbox'))[0]?.attempts ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
		// For its first second back, the network fails every request, as it often does.
		let requests = 0;
		const flaky = Date.now() + 1_000;
		await context.route('**/api/trpc/meals.mark*', (route) => {
			requests++;
			return Date.now() < flaky ? route.abort('failed') : route.continue();
		});
		await context.setOffline(false);
		// No focus: the page's own retry (Background Sync, where it delivers first, leaves the page no answer to show).
		await expect.poll(() => outcome(FRIDAY).textContent()).toMatch(/^✓\s?Registrata alle 09:31:\d\d: pasto normale\.$/);
		expect(requests).toBeGreaterThanOrEqual(2);
		await context.unroute('**/api/trpc/meals.mark*');
		// One effect, however many times it arrived.
		expect(withDb((db) => db.prepare(`SELECT outcome FROM mark_events WHERE consumer_id = ? AND date = ? AND value = 0`).all(lucaId, FRIDAY))).toEqual([{ outcome: 'applied' }]);
		await expect.poll(async () => (await readStore('outbox')).length).toBe(0);
	});

	it('a session ended elsewhere: the page says so, the mark waits on the phone and goes once she signs in again', async () => {
		const MONDAY = '2026-11-30';
		// As after a password change on another device with "Esci da tutti gli altri dispositivi".
		const endMariasSessions = () => {
			const db = new Database(server.dbPath);
			try {
				db.prepare(`DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = 'maria.rossi@example.com')`).run();
			} finally {
				db.close();
			}
		};
		const banner = page.getByRole('alert').filter({ hasText: 'La sessione è scaduta' });
		endMariasSessions();
		await tap(`assenza-${MONDAY}`);
		await visible(banner);
		expect(await outcome(MONDAY).textContent()).toBe('In attesa di invio');
		expect((await readStore('outbox')).map((i) => [i.date, i.state])).toEqual([[MONDAY, 'pending']]);

		// She signs in again in another tab: back on this one, the mark goes and the warning goes away.
		const other = await context.newPage();
		await loginOnPage(other, 'maria.rossi@example.com');
		await other.close();
		await page.evaluate(() => window.dispatchEvent(new Event('focus')));
		await expect.poll(() => outcome(MONDAY).textContent()).toMatch(/^✓\s?Registrata alle \d\d:\d\d:\d\d: pasto normale\.$/);
		await expect.poll(() => banner.count()).toBe(0);

		// Once more, and this time through the warning's own link.
		endMariasSessions();
		await tap(`assenza-${MONDAY}`);
		await visible(banner);
		await banner.getByRole('link', { name: 'accedi di nuovo' }).click();
		await page.waitForURL('**/login/mazze');
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		// Answered: kept on the phone until the day list has shown the answer.
		await expect.poll(async () => (await readStore('outbox')).map((i) => [i.date, i.state])).toEqual([[MONDAY, 'applied']]);
		await expect.poll(() => banner.count()).toBe(0);
		const events = withDb((db) => db.prepare(`SELECT value, outcome FROM mark_events WHERE consumer_id = ? AND date = ? AND channel = 'app' ORDER BY id DESC LIMIT 2`).all(lucaId, MONDAY));
		expect(events).toEqual([
			{ value: 1, outcome: 'applied' },
			{ value: 0, outcome: 'applied' }
		]);
	});

	it('logout leaves nothing of Maria in IndexedDB', async () => {
		expect((await readStore('days')).length).toBeGreaterThan(0);
		await page.getByRole('button', { name: 'Logout' }).click();
		await page.waitForURL(/\/login\/mazze\?uscito/);
		for (const store of ['outbox', 'days', 'consumers', 'accounts', 'meta']) expect(await readStore(store), store).toEqual([]);
	});

	it('Maria signs in again on the same page: the phone is claimed for her again', async () => {
		// The login form the logout of the test before led to, no reload: the page's modules remember the last session.
		await page.locator('#email').fill('maria.rossi@example.com');
		await page.locator('#password').fill('MensaAperta-2026');
		await page.getByRole('button', { name: 'Accedi' }).click();
		await page.waitForURL('**/home');
		// Ownerless, the next start of the app would wipe whatever she queued meanwhile.
		await expect.poll(async () => (await readStore('meta')).find((m) => m.key === 'user')?.value ?? null).not.toBeNull();
		await expect.poll(async () => (await readStore('days')).length).toBeGreaterThan(0);
		await page.getByRole('button', { name: 'Logout' }).click();
		await page.waitForURL(/\/login\/mazze\?uscito/);
	});

	it('the next parent on the same phone sees nothing of Maria’s', async () => {
		const email = 'giovanni.ferrari@example.com';
		const password = 'Refezione-Mazzè-42';
		const giovanni = testClient(server.url);
		await giovanni.trpc.auth.register.mutate({ tenantSlug: 'mazze', givenName: 'Giovanni', familyName: 'Ferrari', codiceFiscale: 'FRRGNN82H15L219L', email, password, privacyAccepted: true });
		const mail = await server.smtp.waitFor(email, (m) => m.subject.includes('Conferma'));
		await giovanni.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });

		await loginOnPage(page, email, 'mazze', password);
		await visible(page.getByText('Non ci sono ancora figli collegati al tuo profilo.'));
		// His own (empty) copy, claimed for him: nothing of Luca, in IndexedDB or in the pages kept.
		await expect.poll(async () => (await readStore('meta')).map((m) => m.key).sort()).toEqual(['copy', 'user']);
		for (const store of ['outbox', 'days', 'consumers', 'accounts']) expect(await readStore(store), store).toEqual([]);
		const kept = await page.evaluate(async () => {
			const texts: string[] = [];
			for (const name of await caches.keys()) {
				const cache = await caches.open(name);
				for (const request of await cache.keys()) if (!/\.(js|css|png|woff2?)$/.test(request.url)) texts.push(await (await cache.match(request))!.text());
			}
			return texts.join('\n');
		});
		expect(kept).not.toMatch(/Luca|Rossi/);
	});

	it('ran without script errors', () => {
		expect(problems).toEqual([]);
	});
});
