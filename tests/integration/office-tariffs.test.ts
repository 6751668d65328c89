import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedInCast, testClient } from '../helpers/client.js';

/*
 * Tariffe over HTTP: the ufficio's bands and price changes, a retroactive change refused in
 * Italian with nothing written, and every role or Comune that must not see or touch them.
 */

let server: TestServer;
let sqlite: Database.Database;
type Client = ReturnType<typeof testClient>;
let ufficio: Client;
let others: Record<string, Client>;
let ids: { year: number; fasciaA: number; group: number; service: number; firstDay: string; lastDay: string };

const counts = () => ['tariff_bands', 'tariff_prices', 'service_groups', 'services', 'audit_log'].map((t) => (sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
const pageText = async (c: Client) => {
	const r = await c.fetch(`${server.url}/ufficio/tariffe`, { headers: { accept: 'text/html' } });
	return { status: r.status, text: (await r.text()).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/&#39;|&rsquo;/g, '’') };
};

beforeAll(async () => {
	server = await startTestServer({ DAY_CLOSE: 'off' });
	({ ufficio, ...others } = await signedInCast(server.url));
	sqlite = new Database(server.dbPath, { fileMustExist: true });
	const row = <T>(sql: string) => sqlite.prepare(sql).get() as T;
	const year = row<{ id: number; first_day: string; last_day: string }>("SELECT y.id, y.first_day, y.last_day FROM school_years y JOIN tenants t ON t.id = y.tenant_id WHERE t.slug = 'mazze'");
	ids = {
		year: year.id,
		firstDay: year.first_day,
		lastDay: year.last_day,
		fasciaA: row<{ id: number }>("SELECT b.id FROM tariff_bands b JOIN tenants t ON t.id = b.tenant_id WHERE t.slug = 'mazze' AND b.name LIKE 'Fascia A%'").id,
		group: row<{ id: number }>("SELECT g.id FROM service_groups g JOIN tenants t ON t.id = g.tenant_id WHERE t.slug = 'mazze'").id,
		service: row<{ id: number }>("SELECT s.id FROM services s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = 'mazze'").id
	};
	// The first week of the year is closed (the server closes nothing by itself here).
	sqlite.prepare("INSERT INTO day_closes (tenant_id, date, closed_at, meals, total_cents) SELECT id, ?, 0, 0, 0 FROM tenants WHERE slug = 'mazze'").run(ids.firstDay);
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

const italian = (d: string) => d.split('-').reverse().join('/');

describe('the ufficio', () => {
	it('adds a band and a price change from a later day, and sees both on the page', async () => {
		const band = await ufficio.trpc.officeTariffs.createBand.mutate({ schoolYearId: ids.year, name: 'Fascia D — residenti fuori Comune', price: '6,10' });
		await ufficio.trpc.officeTariffs.addPriceChange.mutate({ tariffBandId: band.id, validFrom: ids.lastDay, price: '6,30' });
		const overview = await ufficio.trpc.officeTariffs.overview.query();
		expect(overview.years[0].bands.find((b) => b.id === band.id)).toMatchObject({ ownPriceCents: 610, enrolments: 0, changes: [{ validFrom: ids.lastDay, priceCents: 630 }] });
		const { status, text } = await pageText(ufficio);
		expect(status).toBe(200);
		expect(text).toContain('Fascia D — residenti fuori Comune');
		expect(text).toContain(`dal ${italian(ids.lastDay)}: 6,30 €`);
		expect(text).toContain('Riduzione fratelli');
		expect(text).toContain(`Ultimo giorno chiuso: ${italian(ids.firstDay)}`);
	});

	it('a change from a closed day is refused with the reason in Italian, and nothing is written', async () => {
		const before = counts();
		const e = await failure(ufficio.trpc.officeTariffs.addPriceChange.mutate({ tariffBandId: ids.fasciaA, validFrom: ids.firstDay, price: '2,70' }));
		expect(e.data?.httpStatus).toBe(400);
		expect(e.data?.fieldErrors?.validFrom).toMatch(new RegExp(`^Il ${italian(ids.firstDay)} è già chiuso .*: un cambio di prezzo vale solo dal .* in poi, mai per i giorni già chiusi\\.$`));
		expect(counts()).toEqual(before);
	});

	it('bad input and a band in use are refused clearly, and nothing is written', async () => {
		const before = counts();
		const price = await failure(ufficio.trpc.officeTariffs.createBand.mutate({ schoolYearId: ids.year, name: 'Fascia X', price: 'dieci' }));
		expect(price.data?.fieldErrors?.price).toBe('Prezzo non valido (es. 4,20; 0 per l’esenzione)');
		const pct = await failure(ufficio.trpc.officeTariffs.setSiblingDiscount.mutate({ schoolYearId: ids.year, pct: 120 }));
		expect(pct.data?.fieldErrors?.pct).toBe('Riduzione: da 0 a 100');
		const used = await failure(ufficio.trpc.officeTariffs.deleteBand.mutate({ tariffBandId: ids.fasciaA }));
		expect(used.data?.httpStatus).toBe(400);
		expect(used.message).toMatch(/^La fascia «Fascia A — ISEE fino a 8\.000 €» è usata da un’iscrizione: non si può eliminare\./);
		expect(counts()).toEqual(before);
	});
});

describe('authorisation', () => {
	const calls = (c: Client) => ({
		overview: () => c.trpc.officeTariffs.overview.query(),
		createGroup: () => c.trpc.officeTariffs.createGroup.mutate({ name: 'Trasporto' }),
		renameGroup: () => c.trpc.officeTariffs.renameGroup.mutate({ serviceGroupId: ids.group, name: 'X' }),
		createService: () => c.trpc.officeTariffs.createService.mutate({ serviceGroupId: ids.group, name: 'Merenda' }),
		renameService: () => c.trpc.officeTariffs.renameService.mutate({ serviceId: ids.service, name: 'X' }),
		createBand: () => c.trpc.officeTariffs.createBand.mutate({ schoolYearId: ids.year, name: 'X', price: '1' }),
		updateBand: () => c.trpc.officeTariffs.updateBand.mutate({ tariffBandId: ids.fasciaA, name: 'X', price: '1' }),
		deleteBand: () => c.trpc.officeTariffs.deleteBand.mutate({ tariffBandId: ids.fasciaA }),
		addPriceChange: () => c.trpc.officeTariffs.addPriceChange.mutate({ tariffBandId: ids.fasciaA, validFrom: ids.lastDay, price: '1' }),
		deletePriceChange: () => c.trpc.officeTariffs.deletePriceChange.mutate({ priceChangeId: 1 }),
		setSiblingDiscount: () => c.trpc.officeTariffs.setSiblingDiscount.mutate({ schoolYearId: ids.year, pct: 50 })
	});

	for (const who of ['genitore', 'cucina', 'scuola']) {
		it(`${who}: every procedure is forbidden and the page is a 403`, async () => {
			const before = counts();
			for (const [name, call] of Object.entries(calls(others[who]))) {
				expect((await failure(call())).data?.httpStatus, `${who} ${name}`).toBe(403);
			}
			expect((await pageText(others[who])).status).toBe(403);
			expect(counts()).toEqual(before);
		});
	}

	it('the operator of Chiusi sees only Chiusi’s tariffs and cannot change Mazzè’s', async () => {
		const c = calls(others.chiusi);
		const before = counts();
		const overview = await c.overview();
		expect(overview.years.flatMap((y) => y.bands.map((b) => b.id))).not.toContain(ids.fasciaA);
		expect(overview.groups.map((g) => g.id)).not.toContain(ids.group);
		for (const name of ['renameGroup', 'createService', 'renameService', 'updateBand', 'deleteBand', 'addPriceChange', 'deletePriceChange', 'setSiblingDiscount'] as const) {
			expect((await failure(c[name]())).data?.httpStatus, name).toBe(404);
		}
		expect(counts()).toEqual(before);
		expect((await pageText(others.chiusi)).text).not.toContain('Fascia D — residenti fuori Comune');
	});
});
