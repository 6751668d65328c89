import { randomUUID } from 'node:crypto';
import { receiptFor } from './pagopa.js';

/**
 * The writes of the crash test (tests/integration/crash.test.ts), sent over plain HTTP as the app,
 * pagoPA and the ufficio send them, each kept with what came back: an answer, or none because the
 * server died with the request in flight (or before it was sent).
 */
export interface Sent<I> {
	input: I;
	/** null: no answer, the request is in doubt */
	status: number | null;
	body: unknown;
}

export const answered = <I>(s: Sent<I>) => s.status !== null && s.status >= 200 && s.status < 300;

export async function send(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number | null; body: unknown }> {
	try {
		const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url, ...headers }, body: JSON.stringify(body) });
		// A death between the headers and the end of the body is no answer either.
		const text = await response.text();
		return { status: response.status, body: text ? JSON.parse(text) : null };
	} catch {
		return { status: null, body: null };
	}
}

export interface Mark {
	mutationId: string;
	consumerId: number;
	date: string;
	kind: 'assenza' | 'pastoInBianco';
	value: boolean;
}
export interface Account {
	consumerId: number;
	serviceGroupId: number;
}
export type Receipt = ReturnType<typeof receiptFor>;
export interface Topup extends Account {
	/** euros as the ufficio types them, "15,00" */
	amount: string;
	method: 'contanti';
	receiptNumber: string;
}

export interface LoadSetup {
	url: string;
	guardianCookie: string;
	operatorCookie: string;
	accounts: Account[];
	/** the service days ahead, before every cutoff */
	dates: string[];
	/** Maria's avvisi, created beforehand, each paid once by pagoPA during the run */
	avvisi: { paymentId: number; noticeNumber: string | null; amountCents: number }[];
	receiptSecret: string;
	enteFiscalCode: string;
	rand: () => number;
}

/** Everything sent, over every round: what the checks afterwards go through. */
export interface CrashRun {
	marks: Sent<Mark[]>[];
	receipts: (Sent<Receipt> & { paymentId: number })[];
	topups: Sent<Topup>[];
}

export const emptyRun = (): CrashRun => ({ marks: [], receipts: [], topups: [] });

/**
 * Guardians marking (three at a time, batches of 1–4 marks), pagoPA paying avvisi (two at a
 * time) and the ufficio taking money at the counter, until `running()`
 * turns false.
 */
export async function runLoad(s: LoadSetup, rec: CrashRun, running: () => boolean, round: number): Promise<void> {
	const pick = <T>(xs: T[]) => xs[Math.floor(s.rand() * xs.length)];
	const guardian = { cookie: s.guardianCookie };

	const marker = async () => {
		while (running()) {
			const input = Array.from({ length: 1 + Math.floor(s.rand() * 4) }, (): Mark => ({
				mutationId: randomUUID(),
				consumerId: pick(s.accounts).consumerId,
				date: pick(s.dates),
				kind: s.rand() < 0.7 ? 'assenza' : 'pastoInBianco',
				value: s.rand() < 0.5
			}));
			rec.marks.push({ input, ...(await send(s.url, '/api/trpc/meals.mark', { marks: input }, guardian)) });
		}
	};

	const payer = async () => {
		for (let avviso = s.avvisi.shift(); avviso && running(); avviso = s.avvisi.shift()) {
			const input = receiptFor(avviso, s.enteFiscalCode, { receiptId: `crash-${randomUUID()}` });
			rec.receipts.push({ input, paymentId: avviso.paymentId, ...(await send(s.url, '/api/pagopa/receipts', input, { authorization: `Bearer ${s.receiptSecret}` })) });
		}
	};

	const counter = async () => {
		for (let n = 0; running(); n++) {
			const input: Topup = { ...pick(s.accounts), amount: `${5 * (1 + Math.floor(s.rand() * 10))},00`, method: 'contanti', receiptNumber: `CRASH-${round}-${n}` };
			rec.topups.push({ input, ...(await send(s.url, '/api/trpc/officePayments.counterTopup', input, { cookie: s.operatorCookie })) });
		}
	};

	await Promise.all([marker(), marker(), marker(), payer(), payer(), counter()]);
}
