import { beforeAll, describe, expect, it } from 'vitest';
import { foldForSearch } from '../../src/lib/shared/text.js';
import { fixedClock } from '../clock.js';
import { openDb, type Db } from '../db/client.js';
import { tenants } from '../db/schema.js';
import { seedDemo } from '../seed/demo.js';
import { findTenantBySlug, publicTenantInfo, searchTenants } from './tenants.js';

const clock = fixedClock('2026-10-05T08:00:00Z');

let entes = 0;
function addTenant(db: Db, slug: string, name: string) {
	db.insert(tenants)
		.values({ slug, name, searchName: foldForSearch(name), province: 'XX', codiceFiscaleEnte: String(90_000_000_000 + ++entes), createdAt: clock.now() })
		.run();
}

describe('searchTenants on the demo seed', () => {
	let db: Db;

	beforeAll(async () => {
		db = openDb(':memory:');
		await seedDemo(db, clock);
	});

	it.each(['maz', 'MAZZE', 'Mazzè', 'mazzè', 'MAZZÈ', '  mazz  ', 'azz', 'zzè'])('%j finds Mazzè', (q) => {
		expect(searchTenants(db, q)).toEqual([{ slug: 'mazze', name: 'Mazzè', province: 'TO' }]);
	});

	it.each(['chiusi', 'VERNA', 'della verna', 'Chiusi  della', 'ChIuSi DeLlA vErNa'])('%j finds Chiusi della Verna', (q) => {
		expect(searchTenants(db, q)).toEqual([{ slug: 'chiusi-della-verna', name: 'Chiusi della Verna', province: 'AR' }]);
	});

	it.each(['ma', 'MA', 'ch', '', '   ', 'è', '  m  '])('%j (fewer than 3 letters) returns nothing', (q) => {
		expect(searchTenants(db, q)).toEqual([]);
	});

	it('finds nothing for a name that is not there', () => {
		expect(searchTenants(db, 'torino')).toEqual([]);
		expect(searchTenants(db, 'mazzo')).toEqual([]);
	});

	it.each(['%%%', '___', '_%_', 'm%e', 'ma_ze', 'c%a', '\\%\\', "%' OR 1=1 --"])('wildcard characters in %j match literally', (q) => {
		expect(searchTenants(db, q)).toEqual([]);
	});
});

describe('searchTenants ordering and limit', () => {
	let db: Db;

	beforeAll(() => {
		db = openDb(':memory:');
		addTenant(db, 'san-mauro', 'San Mauro Torinese');
		addTenant(db, 'mauriano', 'Mauriano');
		addTenant(db, 'maurizio', 'Maurizio');
		addTenant(db, 'campomaure', 'Campomaure');
		addTenant(db, 'sant-agata', "Sant'Agata de' Goti");
		addTenant(db, 'percent', '100% Comune');
		addTenant(db, 'under', 'Comune_Uno');
		for (let i = 0; i < 15; i++) addTenant(db, `borgo-${i}`, `Borgo Numero ${i}`);
	});

	it('lists names starting with the text first', () => {
		const names = searchTenants(db, 'mau').map((t) => t.name);
		expect(names.slice(0, 2)).toEqual(['Mauriano', 'Maurizio']);
		// Then by where the text appears: "san mauro…" (5th letter) before "campomaure" (6th).
		expect(names.slice(2)).toEqual(['San Mauro Torinese', 'Campomaure']);
	});

	it('caps the results at the limit', () => {
		expect(searchTenants(db, 'mau', 2).map((t) => t.name)).toEqual(['Mauriano', 'Maurizio']);
		expect(searchTenants(db, 'mau', 1)).toHaveLength(1);
		expect(searchTenants(db, 'mau', 10)).toHaveLength(4);
	});

	it('caps at 10 by default', () => {
		expect(searchTenants(db, 'borgo')).toHaveLength(10);
		expect(searchTenants(db, 'borgo', 20)).toHaveLength(15);
	});

	it('matches apostrophes as spaces', () => {
		expect(searchTenants(db, "sant'agata").map((t) => t.slug)).toEqual(['sant-agata']);
		expect(searchTenants(db, 'sant agata').map((t) => t.slug)).toEqual(['sant-agata']);
		expect(searchTenants(db, 'de goti').map((t) => t.slug)).toEqual(['sant-agata']);
	});

	it('matches % and _ only as themselves', () => {
		expect(searchTenants(db, '0% c').map((t) => t.slug)).toEqual(['percent']);
		expect(searchTenants(db, '%%%')).toEqual([]);
		expect(searchTenants(db, 'e_u').map((t) => t.slug)).toEqual(['under']);
		expect(searchTenants(db, '___')).toEqual([]);
		// As wildcards these would match "mauro" and "borgo numero".
		expect(searchTenants(db, 'mau_o')).toEqual([]);
		expect(searchTenants(db, 'borgo%0')).toEqual([]);
	});
});

describe('findTenantBySlug / publicTenantInfo', () => {
	it('finds a seeded tenant and exposes no secrets', async () => {
		const db = openDb(':memory:');
		await seedDemo(db, clock);
		const mazze = findTenantBySlug(db, 'mazze');
		expect(mazze?.name).toBe('Mazzè');
		expect(findTenantBySlug(db, 'nowhere')).toBeUndefined();
		const info = publicTenantInfo(mazze!);
		expect(info.slug).toBe('mazze');
		expect(Object.keys(info)).not.toContain('oidcClientSecret');
		expect(Object.keys(info)).not.toContain('paymentSettings');
	});
});
