import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DEMO_PASSWORD, failure, testClient, type TestClient } from '../helpers/client.js';

/*
 * Changing one's password from Profilo, with Maria signed in on three devices: she chooses whether
 * the other devices are signed out; this device always stays signed in (on a fresh session), and a
 * wrong current password changes nothing.
 */

let server: TestServer;
let sqlite: Database.Database;
const EMAIL = 'maria.rossi@example.com';

async function device(password: string): Promise<TestClient> {
	const client = testClient(server.url);
	await client.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: EMAIL, password });
	return client;
}
const signedIn = async (client: TestClient) => (await client.trpc.auth.me.query()) !== null;
const sessions = () => sqlite.prepare("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?").pluck().get(EMAIL);

beforeAll(async () => {
	server = await startTestServer();
	sqlite = new Database(server.dbPath, { readonly: true, fileMustExist: true });
});
afterAll(async () => {
	sqlite?.close();
	await server?.stop();
});

describe('password change', () => {
	it('refuses a wrong current password and changes nothing', async () => {
		const [phone, tablet] = [await device(DEMO_PASSWORD), await device(DEMO_PASSWORD)];
		const before = sessions();
		const refused = await failure(phone.trpc.auth.changePassword.mutate({ currentPassword: 'Sbagliata-2026!', newPassword: 'Refezione-Mazzè-42', endOtherSessions: true }));
		expect(refused.message).toBe('La password attuale non è corretta.');
		expect([await signedIn(phone), await signedIn(tablet), sessions()]).toEqual([true, true, before]);
	});

	it('keeps the other devices signed in when she chooses so', async () => {
		const [phone, tablet] = [await device(DEMO_PASSWORD), await device(DEMO_PASSWORD)];
		const changed = await phone.trpc.auth.changePassword.mutate({ currentPassword: DEMO_PASSWORD, newPassword: 'Refezione-Mazzè-42', endOtherSessions: false });
		expect(changed).toEqual({ status: 'changed', otherSessionsEnded: 0 });
		expect([await signedIn(phone), await signedIn(tablet)]).toEqual([true, true]);
		await expect(device(DEMO_PASSWORD)).rejects.toThrow();
		expect(await signedIn(await device('Refezione-Mazzè-42'))).toBe(true);
	});

	it('signs every other device out when she chooses so (the default), and says how many', async () => {
		const [phone, tablet, laptop] = [await device('Refezione-Mazzè-42'), await device('Refezione-Mazzè-42'), await device('Refezione-Mazzè-42')];
		const others = (sessions() as number) - 1;
		const changed = await phone.trpc.auth.changePassword.mutate({ currentPassword: 'Refezione-Mazzè-42', newPassword: 'Mensa-Aperta-Nuova-7' });
		expect(changed).toEqual({ status: 'changed', otherSessionsEnded: others });
		expect([await signedIn(phone), await signedIn(tablet), await signedIn(laptop), sessions()]).toEqual([true, false, false, 1]);
		expect(sqlite.prepare("SELECT details FROM audit_log WHERE action = 'user.password_change' ORDER BY id").pluck().all()).toEqual([
			JSON.stringify({ otherSessionsEnded: 0 }),
			JSON.stringify({ otherSessionsEnded: others })
		]);
	});
});
