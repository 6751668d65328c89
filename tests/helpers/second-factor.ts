import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpAt } from '../../server/auth/second-factor.js';
import { DEMO_TOTP_SECRET } from '../../server/seed/demo.js';

/** The key the demo staff enrolled with (DEMO_TOTP_SECRET), or one read from the enrolment page. */
export const demoTotpKey = decodeBase32IgnorePadding(DEMO_TOTP_SECRET);
const STEP_MS = 30_000;

// The last time step this test process used per server and user: the server takes each code once.
const used = new Map<string, number>();

/**
 * The code a phone would show, for the server's own (test) clock, never one already spent on that
 * server for that user: the current step, else the next one (the server allows one step of drift);
 * after both, the next step is waited for — rare, since sign-ins are kept (tests/helpers/client.ts).
 */
export async function authenticatorCode(baseUrl: string, who: string, key: Uint8Array = demoTotpKey): Promise<string> {
	const now = new Date(((await (await fetch(`${baseUrl}/api/test/clock`)).json()) as { now: string }).now).getTime();
	const step = Math.floor(now / STEP_MS);
	const last = used.get(`${baseUrl}|${who}`) ?? -Infinity;
	const chosen = [step, step + 1].find((s) => s > last);
	if (chosen === undefined) {
		await new Promise((r) => setTimeout(r, (step + 1) * STEP_MS - now + 50));
		return authenticatorCode(baseUrl, who, key);
	}
	used.set(`${baseUrl}|${who}`, chosen);
	return totpAt(key, new Date(chosen * STEP_MS));
}
