import { json, type Handle, type HandleServerError, type ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { env } from '$env/dynamic/private';
import { CONFIG_EXIT_CODE, ConfigError, loadConfig } from '$server/config';
import { log, logLine } from '$server/log';
import { logServerError, requestLog } from '$lib/server/request-log';
import { startRuntime, type Runtime } from '$server/runtime';
import { resolveAuth } from '$lib/server/auth';
import { systemClock } from '$server/clock';
import { testClock } from '$lib/server/test-clock';
import { startDayCloseScheduler } from '$server/jobs/day-close-scheduler';
import { startBackupScheduler } from '$server/jobs/backup-scheduler';
import { pagopaJobOptions, startPagopaJobs } from '$server/payments/pagopa/jobs';
import { startMailOutbox } from '$server/mail/outbox';

let rt: Runtime;

/** A wrong setting (a variable, or the secrets key file) stops the process before it listens, with one message saying which. */
function exitOnConfigError(error: unknown): never {
	if (!(error instanceof ConfigError)) throw error;
	process.stderr.write(`${error.message}\n`);
	process.exit(CONFIG_EXIT_CODE);
}

export const init: ServerInit = async () => {
	let config;
	try {
		config = loadConfig(env);
	} catch (error) {
		exitOnConfigError(error);
	}
	log.level = config.logLevel;
	rt = await startRuntime(config, { clock: testClock ?? systemClock, log: logLine }).catch(exitOnConfigError);
	const stopScheduler = config.dayClose ? startDayCloseScheduler(rt) : () => {};
	const stopBackups = config.backup ? startBackupScheduler(rt, config.backup) : () => {};
	const stopPagopaJobs = startPagopaJobs(rt, pagopaJobOptions(env, rt.config.origin));
	const stopMailOutbox = startMailOutbox(rt);
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		process.once(signal, () => log.info({ signal }, 'stopping: no new connections, finishing the requests in flight'));
	}
	// adapter-node emits this on SIGTERM/SIGINT once it has stopped listening and every in-flight
	// request has been answered (or SHUTDOWN_TIMEOUT has passed): only then is the database closed.
	process.once('sveltekit:shutdown', (reason: string) => {
		stopScheduler();
		stopBackups();
		stopPagopaJobs();
		// The e-mails in flight are recorded as sent before the database closes; the rest wait in the outbox.
		void stopMailOutbox()
			.then(() => rt.close())
			.then(() => {
				log.info({ reason }, 'shut down: requests answered, database closed');
				// Nothing should be left to keep the process up; if something is (a mail socket), it must not hold the unit's stop.
				setTimeout(() => process.exit(0), 2_000).unref();
			});
	});
};

const runtimeHandle: Handle = ({ event, resolve }) => {
	event.locals.rt = rt;
	// The route, not the raw path: SvelteKit matches routes on the decoded path, so
	// /simulatore%2Dlis must be caught as /simulatore-lis is.
	if (!rt.config.paymentSimulators && event.route.id?.startsWith('/simulatore-')) {
		return new Response('Simulatore non disponibile su questo server.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
	}
	return resolve(event);
};

/**
 * SvelteKit's own CSRF check covers form posts only; tRPC mutations are JSON, so a
 * cross-site write is refused here, before any procedure runs.
 */
const crossSiteHandle: Handle = ({ event, resolve }) => {
	if (event.request.method !== 'GET' && event.request.method !== 'HEAD' && (event.route.id ?? event.url.pathname).startsWith('/api/')) {
		const site = event.request.headers.get('sec-fetch-site');
		const origin = event.request.headers.get('origin');
		const crossSite = site ? site !== 'same-origin' && site !== 'none' : origin !== null && origin !== event.url.origin;
		if (crossSite) return json({ error: { message: 'Richiesta da un altro sito rifiutata.', code: 'FORBIDDEN' } }, { status: 403 });
	}
	return resolve(event);
};

/** The probes need no session, and /healthz must not touch the database. */
const UNAUTHENTICATED = new Set(['/healthz', '/readyz']);

const authHandle: Handle = ({ event, resolve }) => {
	event.locals.auth = UNAUTHENTICATED.has(event.route.id ?? '') ? null : resolveAuth(event);
	return resolve(event);
};

const headersHandle: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	response.headers.set('X-Content-Type-Options', 'nosniff');
	response.headers.set('Referrer-Policy', 'same-origin');
	// frame-ancestors in the CSP covers pages; this covers the rest (API answers, files) and older browsers.
	response.headers.set('X-Frame-Options', 'DENY');
	// Only behind https: on plain http a browser ignores it, and it would pin a developer's localhost.
	if (event.url.protocol === 'https:') response.headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
	if (event.locals.auth && !response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'private, no-store');
	return response;
};

export const handle = sequence(requestLog(() => rt.config.trustedProxies), runtimeHandle, crossSiteHandle, authHandle, headersHandle);

export const handleError: HandleServerError = logServerError;
