import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

// A public server (PAYMENT_SIMULATORS=off) must not let anyone "pay" with money that does not exist.
let server: TestServer;
beforeAll(async () => {
	server = await startTestServer({ PAYMENT_SIMULATORS: 'off' });
});
afterAll(() => server?.stop());

describe('with the simulators switched off', () => {
	it.each([
		['GET', '/simulatore-lis'],
		['POST', '/simulatore-lis'],
		['POST', '/simulatore%2Dlis'],
		['POST', '/simul%61tore-lis'],
		['GET', '/simulatore-pagopa/psp'],
		['POST', '/simulatore%2Dpagopa/psp'],
		['POST', '/simulatore-pagopa/organizations/84001550015/debtpositions?toPublish=true'],
		['POST', '/simulatore%2Dpagopa/checkout/ec/v1/carts']
	])('%s %s is not there, however the path is spelled', async (method, path) => {
		const response = await fetch(`${server.url}${path}`, {
			method,
			headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded', 'ocp-apim-subscription-key': 'x' },
			body: method === 'POST' ? 'codice=MA-84001550015-AAAA&importo=1500' : undefined
		});
		expect(response.status).toBe(404);
		expect(await response.text()).toBe('Simulatore non disponibile su questo server.');
	});
});
