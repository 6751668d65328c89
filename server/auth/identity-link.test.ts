import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import { fixtureOf, NOV_2026, rows, seededDb } from '../meals/test-fixture.js';
import { claimWithPassword, declineLink, findPendingLink, holdIdentityLink } from './identity-link.js';
import { DEMO_PASSWORD } from '../seed/demo.js';

const clock = fixedClock(NOV_2026);
const identity = { issuer: 'https://spid.example', subject: 'sub-maria', fiscalCode: 'RSSMRA85C52L219F', givenName: 'Maria', familyName: 'Rossi', email: null };

async function held() {
	const db = await seededDb();
	const f = fixtureOf(db);
	const token = holdIdentityLink(db, clock, f.mazze.id, f.maria, 'spid', identity);
	return { db, f, token };
}

describe('the held SPID/CIE identity', () => {
	it('two submits of the right password racing: one links, the other finds it gone, nothing fails', async () => {
		const { db, token } = await held();
		const [a, b] = [findPendingLink(db, clock, token)!, findPendingLink(db, clock, token)!];
		const outcomes = await Promise.all([claimWithPassword(db, clock, a, DEMO_PASSWORD), claimWithPassword(db, clock, b, DEMO_PASSWORD)]);
		expect(outcomes.map((o) => o.status).sort()).toEqual(['gone', 'linked']);
		expect(rows(db, "SELECT count(*) AS n FROM oidc_identities WHERE subject = 'sub-maria'")[0].n).toBe(1);
	});

	it('"not mine" after the claim went through makes no second account', async () => {
		const { db, token } = await held();
		const pending = findPendingLink(db, clock, token)!;
		expect((await claimWithPassword(db, clock, pending, DEMO_PASSWORD)).status).toBe('linked');
		const users = rows(db, 'SELECT count(*) AS n FROM users')[0].n;
		expect(declineLink(db, clock, pending)).toBeNull();
		expect(rows(db, 'SELECT count(*) AS n FROM users')[0].n).toBe(users);
	});
});
