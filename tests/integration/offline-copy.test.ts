import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient } from '../helpers/client.js';
import { eidLogin, testSubs, type AppClient } from '../helpers/oidc-flow.js';

/*
 * guardian.offlineCopy: what a parent's phone keeps for reading with no network (issue 6). The
 * window of days, the saldi, estratti conto and Punto LIS cards of the guardian's own children
 * only, no health data, and a version that makes an unchanged copy cost one short answer.
 */

let server: TestServer;
let maria: AppClient;

const full = async (client: AppClient, version?: string) => {
	const answer = await client.trpc.guardian.offlineCopy.query({ version: version ?? null });
	if (answer.unchanged) throw new Error('expected a whole copy');
	return answer;
};

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	maria = await signedIn(server.url, 'maria.rossi@example.com');
});
afterAll(() => server?.stop());

describe('the offline copy of a guardian', () => {
	it('holds her children, each day from 1 October to 28 February, saldo, estratto conto and Punto LIS card', async () => {
		const copy = await full(maria);
		expect(copy).toMatchObject({ from: '2026-10-01', to: '2027-02-28', today: '2026-11-23', comune: 'Mazzè', cutoffTime: '09:30', timeZone: 'Europe/Rome' });
		expect(copy.consumers.map((c) => c.givenName)).toEqual(['Luca', 'Sofia']);
		for (const c of copy.consumers) {
			expect(c.days).toHaveLength(151);
			expect([c.days[0].date, c.days.at(-1)!.date]).toEqual(['2026-10-01', '2027-02-28']);
			expect(c.accounts.length).toBeGreaterThan(0);
			for (const a of c.accounts) {
				expect(a.lis?.code).toMatch(/^MA-84001550015-/);
				expect(a.lis?.qrSvg).toMatch(/^<svg/);
				expect(a.statement).toMatchObject({ from: '2026-10-01', to: '2026-11-23' });
			}
		}
		// The same code as the card's page shows.
		const luca = copy.consumers[0];
		const card = await maria.fetch(`${server.url}/consumatori/${luca.id}/punto-lis/${luca.accounts[0].serviceGroupId}`);
		expect(await card.text()).toContain(luca.accounts[0].lis!.code);
	});

	it('keeps no health data: Sofia’s diet is not in it', async () => {
		const text = JSON.stringify(await full(maria));
		expect(text).toContain('Sofia');
		expect(text).not.toMatch(/glutine|diet/i);
	});

	it('an unchanged copy is answered in one line; a mark changes the version', async () => {
		const first = await full(maria);
		const again = await maria.trpc.guardian.offlineCopy.query({ version: first.version });
		expect(again).toEqual({ unchanged: true, version: first.version });
		const response = await maria.fetch(`${server.url}/api/trpc/guardian.offlineCopy?input=${encodeURIComponent(JSON.stringify({ version: first.version }))}`);
		expect((await response.text()).length).toBeLessThan(120);

		const luca = first.consumers[0];
		const [mark] = (await maria.trpc.meals.mark.mutate({ marks: [{ mutationId: crypto.randomUUID(), consumerId: luca.id, date: '2026-11-25', kind: 'assenza', value: true }] })).results;
		expect(mark.status).toBe('applied');
		const after = await full(maria, first.version);
		expect(after.version).not.toBe(first.version);
		expect(after.consumers[0].days.find((d) => d.date === '2026-11-25')?.assenza).toBe(true);
	});

	it('is each guardian’s own: Mario of Chiusi gets only his child, with his Comune’s rules', async () => {
		const { app: mario } = await eidLogin(server.url, 'chiusi-della-verna', { sub: testSubs.mario });
		const copy = await full(mario);
		expect(copy.comune).toBe('Chiusi della Verna');
		expect(copy.consumers.map((c) => c.givenName)).toEqual(['Tommaso']);
		expect(JSON.stringify(copy)).not.toMatch(/Luca|Sofia|Rossi/);
	});

	it('staff and anonymous callers are refused with nothing in the body', async () => {
		for (const email of ['ufficio@mazze.example.it', 'cucina@mazze.example.it']) {
			const refused = await failure((await signedIn(server.url, email)).trpc.guardian.offlineCopy.query({ version: null }));
			expect(refused.data?.code).toBe('FORBIDDEN');
			expect(JSON.stringify(refused)).not.toMatch(/Luca|Sofia/);
		}
		expect((await failure(testClient(server.url).trpc.guardian.offlineCopy.query({ version: null }))).data?.code).toBe('UNAUTHORIZED');
	});

	it('a bad version is a clear error', async () => {
		const refused = await failure(maria.trpc.guardian.offlineCopy.query({ version: '../etc' }));
		expect(refused.data?.code).toBe('BAD_REQUEST');
		expect(refused.message).toContain('Versione non valida');
	});
});
