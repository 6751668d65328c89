import { describe, expect, it } from 'vitest';
import { phoneSession } from '../helpers/e2e.js';
import { loginOnPage } from '../helpers/pwa.js';
import { DEMO_PASSWORD, testClient } from '../helpers/client.js';

/*
 * Maria changes her password on her phone, from Profilo, while still signed in on the family
 * tablet: the form offers to sign the other devices out (ticked by default) and says what it did.
 */

const s = phoneSession();

describe('Cambia password on Profilo', () => {
	it('signs the other devices out by default, keeps the phone signed in, and says so', async () => {
		const tablet = testClient(s.server.url);
		await tablet.trpc.auth.login.mutate({ tenantSlug: 'mazze', email: 'maria.rossi@example.com', password: DEMO_PASSWORD });
		await loginOnPage(s.page, 'maria.rossi@example.com');
		await s.page.getByRole('link', { name: 'Profilo' }).click();
		await s.page.waitForURL('**/profilo');

		const form = s.page.locator('form', { has: s.page.getByRole('heading', { name: 'Cambia password' }) });
		const signOutOthers = form.getByRole('checkbox', { name: 'Esci da tutti gli altri dispositivi' });
		expect(await signOutOthers.isChecked()).toBe(true);
		await form.getByLabel('Password attuale').fill(DEMO_PASSWORD);
		await form.getByLabel('Nuova password').fill('Refezione-Mazzè-42');
		await form.getByRole('button', { name: 'Cambia password' }).click();
		await expect.poll(() => form.getByRole('status').textContent()).toBe('Password cambiata. Sei uscito da 1 altro dispositivo.');

		expect(await tablet.trpc.auth.me.query()).toBeNull();
		await s.page.reload();
		await expect.poll(() => s.page.getByRole('heading', { name: 'Cambia password' }).count()).toBe(1);
		expect(s.problems).toEqual([]);
	});
});
