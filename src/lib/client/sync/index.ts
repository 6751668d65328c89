import { claimForUser, localDb, wipeLocalData } from '$lib/client/db';
import { TRPCClientError } from '@trpc/client';
import { trpc } from '$lib/client/trpc';
import { createOutbox, SignedOut, type FlushReport, type Outbox, type MarkRequest } from './outbox';
import { refreshCopy } from './refresh';

export type { MarkRequest } from './outbox';

/*
 * The one sync module of the parent app. The outbox: marks go out through meals.mark on every
 * chance the page gets (coming back online, focus, and while something waits a retry after 2 s,
 * then 5, 15 and every 30); where the browser has Background Sync, the service worker also keeps
 * a request that failed for lack of network and sends it again when the network is back, even
 * with the app closed (vite.pwa.ts): the same mutationId makes the second arrival harmless. The
 * offline copy: refreshed when the app opens, comes back online or regains focus, and after marks
 * were answered.
 */

/**
 * While marks wait, the next try: soon at first, since the first request on a network
 * just back often fails (and the service worker's Background Sync may deliver it meanwhile, with
 * no answer for the page), then less and less often.
 */
const RETRY_MS = [2_000, 5_000, 15_000, 30_000];
/** Focus comes often on a phone: the copy is asked again at most this often from it. */
const FOCUS_REFRESH_MS = 60_000;

let outbox: Outbox | null = null;
let retry: ReturnType<typeof setTimeout> | null = null;
let triesLeftUnsent = 0;
let lastReport: FlushReport | null = null;

export function browserOutbox(): Outbox {
	if (outbox) return outbox;
	outbox = createOutbox(localDb(), async (marks) => {
		try {
			return (await trpc.meals.mark.mutate({ marks })).results;
		} catch (error) {
			if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') throw new SignedOut();
			throw error;
		}
	});
	const kick = () => void flushMarks();
	// The network is back: whatever the tries while it was away, the next ones come soon again.
	window.addEventListener('online', () => {
		triesLeftUnsent = 0;
		kick();
	});
	window.addEventListener('focus', kick);
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'visible') kick();
	});
	return outbox;
}

let claimed: { userKey: string; done: Promise<void> } | null = null;
let listening = false;
/** Sends and refreshes under way: they write to the phone's database, so logout waits for them. */
const underWay = new Set<Promise<unknown>>();

function tracked<T>(work: Promise<T>): Promise<T> {
	underWay.add(work);
	work.then(
		() => underWay.delete(work),
		() => underWay.delete(work)
	);
	return work;
}

/** The claim, once settled, if it is still the phone's: work for a user who has left is not done. */
async function currentClaim() {
	const claim = claimed;
	if (!claim) return null;
	try {
		await claim.done;
	} catch {
		return null;
	}
	return claimed === claim ? claim : null;
}

/** Logout waits this long at most for work under way: a request hanging on a poor network must not keep a family's data on a shared phone. */
const LOGOUT_WAIT_MS = 3_000;
let lastRefresh = 0;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

/** Several taps in a row are answered one by one: the copy is asked once after the last. */
function refreshSoon(delayMs: number) {
	if (refreshTimer) clearTimeout(refreshTimer);
	refreshTimer = setTimeout(() => {
		refreshTimer = null;
		void refreshLocalCopy();
	}, delayMs);
}

/** Refreshes the offline copy; false when the server could not be reached (the last copy stays). */
export async function refreshLocalCopy(): Promise<boolean> {
	if (!(await currentClaim())) return false;
	lastRefresh = Date.now();
	try {
		await tracked(refreshCopy(localDb(), (version) => trpc.guardian.offlineCopy.query({ version: version ?? null })));
		return true;
	} catch {
		return false;
	}
}

/**
 * Called by every parent page: claims the phone's data for this user (another user's is wiped
 * first), then sends what waits and refreshes the copy.
 */
export function startSync(userKey: string): Promise<void> {
	if (claimed?.userKey === userKey) {
		// Signed in again after the session ended: what waited goes now.
		if (sessionEnded) void flushMarks();
		return claimed.done;
	}
	claimed = { userKey, done: claimForUser(userKey) };
	if (!listening) {
		listening = true;
		window.addEventListener('online', () => void refreshLocalCopy());
		window.addEventListener('focus', () => {
			if (Date.now() - lastRefresh > FOCUS_REFRESH_MS) void refreshLocalCopy();
		});
	}
	void claimed.done.then(async () => {
		await flushMarks();
		refreshSoon(0);
	});
	return claimed.done;
}

/**
 * Logout: nothing personal stays on the phone, and this page forgets whose it was, so that the
 * next login, even the same user's without a reload, claims the phone again. (Remembering the
 * claim left the phone ownerless, and the next app start wiped marks queued in between.)
 */
export async function forgetLocalUser() {
	claimed = null;
	lastReport = null;
	triesLeftUnsent = 0;
	setSessionEnded(false);
	if (retry) clearTimeout(retry);
	if (refreshTimer) clearTimeout(refreshTimer);
	retry = refreshTimer = null;
	await Promise.race([Promise.allSettled([...underWay]), new Promise((resolve) => setTimeout(resolve, LOGOUT_WAIT_MS))]);
	await wipeLocalData(localDb());
}

const sessionListeners = new Set<(signedOut: boolean) => void>();
/** The server refused the marks for want of a session; cleared when it takes them again. */
let sessionEnded = false;

function setSessionEnded(ended: boolean) {
	if (ended === sessionEnded) return;
	sessionEnded = ended;
	for (const listener of sessionListeners) listener(ended);
}

/**
 * Told at once whether marks wait for a session, then whenever that changes: they stop going
 * because the session has ended (a password changed elsewhere, say), they go again (signed in
 * again, maybe in another tab).
 */
export function onSessionState(listener: (signedOut: boolean) => void): () => void {
	sessionListeners.add(listener);
	listener(sessionEnded);
	return () => sessionListeners.delete(listener);
}

const NOTHING_SENT: FlushReport = { sent: 0, failed: false, signedOut: false };

/** Sends what waits; while something is still unsent, tries again later. */
export async function flushMarks(): Promise<FlushReport> {
	// Only for the user who holds the phone: a mark left by another must not go out with this session.
	const claim = await currentClaim();
	if (!claim) return NOTHING_SENT;
	const box = browserOutbox();
	const report = await tracked(box.flush());
	// Logged out meanwhile: nothing more is done for that user (logout is wiping the phone).
	if (claimed !== claim) return report;
	// Only an answer from the server says the session works again; no network says nothing.
	if (report.signedOut || !report.failed) setSessionEnded(report.signedOut);
	if (report.signedOut) {
		// Retrying cannot help: the marks wait, on the phone, for the parent to sign in again.
		lastReport = report;
		if (retry) clearTimeout(retry);
		retry = null;
		return report;
	}
	if (report.sent) refreshSoon(3_000);
	const left = (await box.unsent()).length;
	// Whatever kept a mark unsent (no network, no answer for it), the next try comes later each
	// time. Callers that joined one flush share its report: one try, counted once.
	if (report !== lastReport) triesLeftUnsent = left ? triesLeftUnsent + 1 : 0;
	lastReport = report;
	if (retry) clearTimeout(retry);
	retry = left ? setTimeout(() => void flushMarks(), RETRY_MS[Math.min(Math.max(triesLeftUnsent, 1), RETRY_MS.length) - 1]) : null;
	return report;
}

/** Stores the marks at once and starts sending them; returns the stored items. */
export async function queueMarks(marks: MarkRequest[]) {
	const items = await browserOutbox().enqueue(marks);
	void flushMarks();
	return items;
}
