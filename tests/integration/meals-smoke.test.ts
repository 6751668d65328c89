import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/wait.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { signedIn } from '../helpers/client.js';

let server: TestServer;
beforeAll(async () => {
	server = await startTestServer();
});
afterAll(() => server?.stop());

it('marks, cutoff and day close through the API', async () => {
	const setClock = (iso: string) => fetch(`${server.url}/api/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ now: iso }) });
	await setClock('2026-11-24T07:00:00Z'); // Tue 08:00 in Rome
	const maria = await signedIn(server.url, 'maria.rossi@example.com');
	const [luca] = (await maria.trpc.guardian.consumers.query()).filter((c) => c.givenName === 'Luca');
	const { days } = await maria.trpc.meals.days.query({ consumerId: luca.id, from: '2026-11-23', to: '2026-11-29' });
	expect(days.map((d) => d.service)).toEqual([true, true, true, true, true, false, false]);
	const { results } = await maria.trpc.meals.mark.mutate({
		marks: [
			{ mutationId: crypto.randomUUID(), consumerId: luca.id, date: '2026-11-24', kind: 'pastoInBianco', value: true },
			{ mutationId: crypto.randomUUID(), consumerId: luca.id, date: '2026-11-25', kind: 'assenza', value: true },
			{ mutationId: crypto.randomUUID(), consumerId: luca.id, date: '2026-11-28', kind: 'assenza', value: true }
		]
	});
	expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'rejected']);
	await setClock('2026-11-24T08:30:00Z'); // 09:30 in Rome
	const late = await maria.trpc.meals.mark.mutate({ marks: [{ mutationId: crypto.randomUUID(), consumerId: luca.id, date: '2026-11-24', kind: 'assenza', value: true }] });
	expect(late.results[0]).toMatchObject({ status: 'rejected', code: 'CUTOFF_PASSED', message: "Oltre l'orario limite (09:30): contatta l'ufficio scuola" });
	const cucina = await signedIn(server.url, 'cucina@mazze.example.it');
	// A few seconds after the cutoff the server closes the day by itself: final, with Luca in bianco.
	const report = await until(() => cucina.trpc.office.kitchenReport.query({ date: '2026-11-24' }), (r) => r.status === 'final');
	expect(report.rows.find((r) => r.schoolClass === '3ª B')).toMatchObject({ normale: 0, bianco: 1 });
	expect(report.totals).toMatchObject({ pasti: 3, bianco: 1, diets: { 'senza glutine': 1 } });
});
