import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { failure, signedIn, testClient } from '../helpers/client.js';

/*
 * A new install, as the README's Deploy section runs it: the server on an empty database (no demo),
 * `npm run create-admin` for the first platform admin, the printed link to choose a password, then
 * the first sign-in at /admin/login with the authenticator app set up.
 */

const dir = mkdtempSync(join(tmpdir(), 'mensa-create-admin-'));
const dbPath = join(dir, 'mensa.db');
const PASSWORD = 'Piattaforma-Prima-2026';
let server: TestServer;

/** Run asynchronously: the test SMTP server lives in this process and must answer meanwhile. */
async function createAdmin(...args: string[]) {
	const child = spawn('npx', ['tsx', 'server/users/create-admin-cli.ts', ...args], { env: { ...process.env, DATABASE_PATH: dbPath, ORIGIN: server.url, SMTP_URL: server.smtp.url } });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c));
	child.stderr.on('data', (c: Buffer) => (stderr += c));
	const status = await new Promise<number | null>((resolve) => child.once('close', resolve));
	const link = /\S+\/invito\?token=\S+/.exec(stdout)?.[0];
	return { status, stdout, stderr, token: link ? new URL(link).searchParams.get('token')! : null };
}
const users = () => {
	const sqlite = new Database(dbPath, { readonly: true });
	try {
		return sqlite.prepare("SELECT u.email, m.role, u.tenant_id AS tenantId FROM users u JOIN memberships m ON m.user_id = u.id").all();
	} finally {
		sqlite.close();
	}
};

beforeAll(async () => {
	server = await startTestServer({ DATABASE_PATH: dbPath, SEED_DEMO: 'off' });
});
afterAll(async () => {
	await server?.stop();
	rmSync(dir, { recursive: true, force: true });
});

describe('npm run create-admin', () => {
	it('refuses a wrong e-mail with exit 64, writing nothing', async () => {
		const run = await createAdmin('--email', 'non-un-indirizzo');
		expect(run.status).toBe(64);
		expect(run.stderr).toContain('E-mail: indirizzo non valido');
		expect(run.stderr).toContain('Uso: npm run create-admin -- --email');
		expect(users()).toEqual([]);
	});

	it('creates the first admin, whose link sets a password and leads to the first sign-in with the authenticator', async () => {
		const first = await createAdmin('--email', 'Anna.Verdi@Comune.example.it', '--name', 'Anna Verdi');
		expect(first.status).toBe(0);
		expect(first.stdout).toContain('Amministratore creato: anna.verdi@comune.example.it');
		expect(users()).toEqual([{ email: 'anna.verdi@comune.example.it', role: 'admin', tenantId: null }]);
		const mail = await server.smtp.waitFor('anna.verdi@comune.example.it');
		expect(mail.subject).toBe('Invito a Mensa Aperta — amministrazione della piattaforma');
		expect(mail.text).toContain(first.token!);

		// Run again: a fresh link for the same account; the first link no longer works.
		const second = await createAdmin('--email', 'anna.verdi@comune.example.it');
		expect(second.stdout).toContain('Amministratore già presente: nuovo link');
		expect(second.token).not.toBe(first.token);
		expect(users()).toHaveLength(1);
		const anon = testClient(server.url);
		expect((await failure(anon.trpc.invitations.show.query({ token: first.token! }))).message).toMatch(/già stato usato/);

		const page = await (await fetch(`${server.url}/invito?token=${second.token}`)).text();
		expect(page).toContain('Buongiorno Anna, sei stato invitato a Mensa Aperta come amministratore della piattaforma');
		expect(await anon.trpc.invitations.accept.mutate({ token: second.token!, password: PASSWORD })).toEqual({ loginPath: '/admin/login' });

		const admin = await signedIn(server.url, 'anna.verdi@comune.example.it', { tenantSlug: null, password: PASSWORD });
		expect(admin.home).toBe('/admin');
		expect(await admin.trpc.auth.me.query()).toMatchObject({ email: 'anna.verdi@comune.example.it', tenant: null });

		// The admin's way back in after a lost or stolen password: a new link ends every session.
		const third = await createAdmin('--email', 'anna.verdi@comune.example.it');
		expect(await anon.trpc.invitations.accept.mutate({ token: third.token!, password: `${PASSWORD}-nuova` })).toEqual({ loginPath: '/admin/login' });
		expect(await admin.trpc.auth.me.query()).toBeNull();
		expect((await failure(signedIn(server.url, 'anna.verdi@comune.example.it', { tenantSlug: null, password: PASSWORD }))).message).toMatch(/non corrett/);
	});
});
