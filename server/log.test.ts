import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger, redact, requestIdFor, scrub } from './log.js';

const SECRETS = {
	password: 'Refezione-Mazzè-42',
	resetToken: 'k3j5q7w2m4n6p8r2s4t6v2x4z6b2d4f6',
	activationCode: 'MZZ7-K4PQ-2RTA',
	codiceFiscale: 'FRRGNN82H15L219L',
	omocodia: 'FRRGNN82H15L2MNL',
	session: 'abcdefghijklmnopqrstuvwxyz234567',
	bearer: 'ricevute-segreto-di-mazze-1234'
};

function capture(level = 'info') {
	const lines: string[] = [];
	const sink = new Writable({
		write(chunk, _encoding, done) {
			lines.push(...chunk.toString().trim().split('\n'));
			done();
		}
	});
	return { logger: createLogger(sink, level), lines, text: () => lines.join('\n') };
}

const leaked = (text: string) => Object.entries(SECRETS).filter(([, secret]) => text.toLowerCase().includes(secret.toLowerCase())).map(([name]) => name);

describe('redaction', () => {
	it('scrubs tokens in links, codes, codici fiscali, cookies and credentials out of free text', () => {
		const text = [
			`GET /reimposta?token=${SECRETS.resetToken}&x=1`,
			`/auth/oidc/callback?code=${SECRETS.session}&state=${SECRETS.resetToken}`,
			`codice ${SECRETS.activationCode} e ${SECRETS.activationCode.toLowerCase()}`,
			`CF ${SECRETS.codiceFiscale}, omocodico ${SECRETS.omocodia}`,
			`cookie: ma_comune=mazze; __Host-ma_session=${SECRETS.session}; ma_oidc_state=${SECRETS.resetToken}`,
			`authorization: Bearer ${SECRETS.bearer}`
		].join('\n');
		const out = scrub(text);
		expect(leaked(out)).toEqual([]);
		expect(out).toContain('/reimposta?token=[redacted]&x=1');
		expect(out).toContain('CF [codice fiscale]');
		expect(out).toContain('codice [codice]');
		expect(out).toContain('ma_comune=mazze; __Host-ma_session=[redacted]; ma_oidc_state=[redacted]');
	});

	it('masks secret-named fields at any depth and keeps the rest', () => {
		const out = redact({
			route: '/login/[slug=slug]',
			status: 401,
			input: { email: 'maria.rossi@example.com', password: SECRETS.password, newPassword: SECRETS.password, token: SECRETS.resetToken },
			headers: { authorization: `Bearer ${SECRETS.bearer}`, cookie: `ma_session=${SECRETS.session}`, 'user-agent': 'probe' },
			applicant: { codiceFiscale: SECRETS.codiceFiscale, fiscal_code: SECRETS.omocodia, activationCode: SECRETS.activationCode },
			list: [`${SECRETS.codiceFiscale}`]
		});
		expect(leaked(JSON.stringify(out))).toEqual([]);
		expect(out).toMatchObject({ route: '/login/[slug=slug]', status: 401, input: { email: 'maria.rossi@example.com', password: '[redacted]' }, headers: { 'user-agent': 'probe' } });
	});

	it('leaves request ids (UUIDs) and ordinary words alone', () => {
		const id = '550e8400-e29b-41d4-a716-446655440000';
		expect(scrub(`request ${id} on /ufficio/esporta/alunni.csv: SQLITE_BUSY`)).toBe(`request ${id} on /ufficio/esporta/alunni.csv: SQLITE_BUSY`);
	});
});

describe('the logger', () => {
	it('writes one JSON line per event, with the message and fields scrubbed and errors serialised', () => {
		const { logger, lines, text } = capture();
		logger.info({ requestId: 'r-12345678', url: `/invito?token=${SECRETS.resetToken}` }, `login of ${SECRETS.codiceFiscale}`);
		const error = new Error(`activation failed for code ${SECRETS.activationCode}`);
		logger.error({ err: error, body: { password: SECRETS.password } }, 'failed');
		logger.error(new Error(`cookie ma_session=${SECRETS.session}`));
		logger.debug('not at info level');
		expect(lines).toHaveLength(3);
		const [first, second, third] = lines.map((l) => JSON.parse(l));
		expect(first).toMatchObject({ level: 'info', requestId: 'r-12345678', url: '/invito?token=[redacted]', msg: 'login of [codice fiscale]' });
		expect(typeof first.time).toBe('string');
		expect(second).toMatchObject({ level: 'error', msg: 'failed', err: { type: 'Error', message: 'activation failed for code [codice]' }, body: { password: '[redacted]' } });
		expect(second.err.stack).toContain('log.test.ts');
		expect(third.err.message).toBe('cookie ma_session=[redacted]');
		expect(leaked(text())).toEqual([]);
	});
});

describe('request ids', () => {
	const proxies = ['127.0.0.1', '::1'];
	const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

	it("takes a trusted proxy's id, also over an IPv4-mapped address", () => {
		expect(requestIdFor('0123456789abcdef0123456789abcdef', '127.0.0.1', proxies)).toBe('0123456789abcdef0123456789abcdef');
		expect(requestIdFor('0123456789abcdef0123456789abcdef', '::ffff:127.0.0.1', proxies)).toBe('0123456789abcdef0123456789abcdef');
	});

	it('makes its own for anyone else, for a missing id and for a malformed one', () => {
		expect(requestIdFor('0123456789abcdef0123456789abcdef', '203.0.113.9', proxies)).toMatch(uuid);
		expect(requestIdFor(null, '127.0.0.1', proxies)).toMatch(uuid);
		expect(requestIdFor('short', '127.0.0.1', proxies)).toMatch(uuid);
		expect(requestIdFor('bad id with spaces\nand a newline', '127.0.0.1', proxies)).toMatch(uuid);
		expect(requestIdFor('0123456789abcdef0123456789abcdef', '127.0.0.1', [])).toMatch(uuid);
	});
});
