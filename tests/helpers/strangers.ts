import Database from 'better-sqlite3';
import { serverSecrets } from './secrets.js';
import { sealedAuthenticatorKey } from '../../server/auth/second-factor.js';
import { demoTotpKey } from './second-factor.js';
import { signedIn, testClient, type TestClient } from './client.js';
import { linkIn } from './smtp.js';
import type { TestServer } from './server.js';

/*
 * The cast of tests/integration/strangers.test.ts: Maria Rossi's family in Mazzè (the target),
 * and the people who must not reach it.
 */

export const MARIA = 'maria.rossi@example.com';
/** Anything of Maria's family: names, fiscal codes, her e-mail and phone. Names are matched as written. */
export const FAMILY_DATA = /\b(Rossi|Luca|Sofia)\b|RSSMRA85C52L219F|RSSLCU17E04E379I|RSSSFO21P60E379I|maria\.rossi@example\.com|333 1234567/;

const readDb = <T>(dbPath: string, read: (db: Database.Database) => T): T => {
	const db = new Database(dbPath, { readonly: true, fileMustExist: true });
	try {
		return read(db);
	} finally {
		db.close();
	}
};

/** The ids of Maria's family and of the Mazzè things around it, read from the server's file. */
export function familyIds(dbPath: string) {
	return readDb(dbPath, (db) => {
		const one = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
		const mazze = one(`SELECT id FROM tenants WHERE slug = 'mazze'`);
		const maria = db.prepare(`SELECT id FROM users WHERE email = ? AND tenant_id = ?`).pluck().get(MARIA, mazze) as string;
		const luca = one(`SELECT id FROM consumers WHERE codice_fiscale = 'RSSLCU17E04E379I'`);
		const sofia = one(`SELECT id FROM consumers WHERE codice_fiscale = 'RSSSFO21P60E379I'`);
		const enrolment = db.prepare(`SELECT id, service_id, school_year_id, tariff_band_id FROM enrolments WHERE consumer_id = ?`).get(luca) as Record<string, number>;
		const schoolClass = one(`SELECT school_class_id FROM consumers WHERE id = ?`, luca);
		return {
			mazze,
			mazzeFiscalCode: db.prepare(`SELECT codice_fiscale_ente FROM tenants WHERE id = ?`).pluck().get(mazze) as string,
			maria,
			luca,
			sofia,
			lucaEnrolment: enrolment.id,
			service: enrolment.service_id,
			schoolYear: enrolment.school_year_id,
			band: enrolment.tariff_band_id,
			schoolClass,
			school: one(`SELECT school_id FROM school_classes WHERE id = ?`, schoolClass),
			group: one(`SELECT service_group_id FROM services WHERE id = ?`, enrolment.service_id),
			closure: one(`SELECT min(id) FROM closures WHERE tenant_id = ?`, mazze),
			accounts: db.prepare(`SELECT id FROM ledger_accounts WHERE consumer_id IN (?, ?) ORDER BY id`).pluck().all(luca, sofia) as number[],
			payment: one(`SELECT max(id) FROM payments WHERE user_id = ?`, maria),
			iupd: db.prepare(`SELECT iupd FROM sim_debt_positions ORDER BY id DESC LIMIT 1`).pluck().get() as string
		};
	});
}
export type Family = ReturnType<typeof familyIds>;

const IGNORED = new Set(['rate_limits', 'sessions']);

/**
 * What strangers must not change: per table, Mazzè's rows (all rows for tables without a Comune),
 * and the full content of every row of Maria and her children. A stranger's own Comune is theirs to change.
 */
export function mazzeState(dbPath: string, family: Family) {
	return readDb(dbPath, (db) => {
		const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[]).filter((t) => !IGNORED.has(t));
		const columns = (t: string) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]);
		const rows: Record<string, number> = {};
		const familyRows: Record<string, unknown[]> = {};
		for (const t of tables) {
			const cols = columns(t);
			rows[t] = db.prepare(`SELECT count(*) FROM "${t}"` + (cols.includes('tenant_id') ? ` WHERE tenant_id = ${family.mazze}` : '')).pluck().get() as number;
			if (cols.includes('consumer_id')) familyRows[t] = db.prepare(`SELECT * FROM "${t}" WHERE consumer_id IN (?, ?) ORDER BY rowid`).all(family.luca, family.sofia);
		}
		familyRows.consumers = db.prepare(`SELECT * FROM consumers WHERE id IN (?, ?)`).all(family.luca, family.sofia);
		familyRows.users = db.prepare(`SELECT * FROM users WHERE id = ?`).all(family.maria);
		familyRows.payments = db.prepare(`SELECT * FROM payments WHERE user_id = ?`).all(family.maria);
		return { rows, family: JSON.stringify(familyRows) };
	});
}

/** A guardian registered in `slug` who activated their own child's code: a family, but not Maria's. */
export async function otherGuardian(server: TestServer, slug: string, person: { givenName: string; familyName: string; codiceFiscale: string; email: string; code: string }) {
	const client = testClient(server.url);
	const password = 'Refezione-Mazzè-42';
	const { code, ...who } = person;
	await client.trpc.auth.register.mutate({ tenantSlug: slug, ...who, password, privacyAccepted: true });
	const mail = await server.smtp.waitFor(person.email, (m) => m.subject.includes('Conferma'));
	await client.trpc.auth.verifyEmail.mutate({ token: linkIn(mail, '/verifica').searchParams.get('token')! });
	await client.trpc.auth.login.mutate({ tenantSlug: slug, email: person.email, password });
	await client.trpc.guardian.activate.mutate({ code });
	return client;
}

/**
 * Chiusi has only its ufficio in the demo: its school staff and kitchen are added to the file as the
 * demo seed adds staff (the ufficio's password hash, the demo authenticator key sealed under the
 * server's key for each of them), then signed in.
 */
export async function chiusiStaff(server: TestServer): Promise<Record<'operator' | 'school_staff' | 'kitchen', TestClient>> {
	const slug = 'chiusi-della-verna';
	const db = new Database(server.dbPath);
	db.pragma('busy_timeout = 5000');
	const secrets = serverSecrets(server.dbPath);
	try {
		const tenant = db.prepare(`SELECT id FROM tenants WHERE slug = ?`).pluck().get(slug) as number;
		const ufficio = db.prepare(`SELECT u.id FROM users u WHERE u.email = 'ufficio@chiusi.example.it'`).pluck().get() as string;
		const school = db.prepare(`SELECT id FROM schools WHERE tenant_id = ? AND level = 'infanzia'`).pluck().get(tenant) as number;
		const now = Date.now();
		for (const [role, email, schoolId] of [['school_staff', 'infanzia@chiusi.example.it', school], ['kitchen', 'cucina@chiusi.example.it', null]] as const) {
			const id = `estraneo-${role}`;
			db.transaction(() => {
				db.prepare(`INSERT INTO users (id, tenant_id, email, email_verified_at, given_name, family_name, contact_email, privacy_accepted_at, created_at) VALUES (?, ?, ?, ?, 'Personale', 'Chiusi', ?, ?, ?)`).run(id, tenant, email, now, email, now, now);
				db.prepare(`INSERT INTO password_credentials (user_id, hash, updated_at) SELECT ?, hash, ? FROM password_credentials WHERE user_id = ?`).run(id, now, ufficio);
				db.prepare(`INSERT INTO memberships (tenant_id, user_id, role, school_id, created_at) VALUES (?, ?, ?, ?, ?)`).run(tenant, id, role, schoolId, now);
				db.prepare(`INSERT INTO totp_credentials (user_id, key, enabled_at, created_at) VALUES (?, ?, ?, ?)`).run(id, sealedAuthenticatorKey(secrets, id, demoTotpKey), now, now);
			})();
		}
	} finally {
		db.close();
	}
	const [operator, school_staff, kitchen] = await Promise.all(
		['ufficio@chiusi.example.it', 'infanzia@chiusi.example.it', 'cucina@chiusi.example.it'].map((email) => signedIn(server.url, email, { tenantSlug: slug }))
	);
	return { operator, school_staff, kitchen };
}
