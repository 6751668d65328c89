import { randomUUID } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

/*
 * One JSON line per event on stdout (pino), for journald or any log shipper. Whatever is logged
 * goes through redact() first: a log line must never carry a password, a token, an activation
 * code, a session cookie, an Authorization header or a codice fiscale, whoever wrote the call.
 */

const SECRET_KEY = /password|passwd|token|secret|authorization|cookie|otp|recovery|fiscal|activation|apikey|subscriptionkey|^key$/i;

const SCRUBBERS: [RegExp, string][] = [
	// one-time links (/reimposta?token=, /invito?token=, /verifica?token=) and OpenID Connect callbacks (?code=&state=)
	[/([?&;](?:token|code|state|session|password|key)=)[^&#\s"'<>]*/gi, '$1[redacted]'],
	[/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]'],
	// the app's cookies that are credentials (src/lib/server/cookies.ts), with or without their prefix
	[/((?:__Host-|__Secure-)?(?:ma_)?(?:session|oidc_state|pending_link)=)[^;\s"',&]+/gi, '$1[redacted]'],
	// codice fiscale, omocodia included
	[/\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/gi, '[codice fiscale]'],
	// activation codes as printed (XXXX-XXXX-XXXX); the lookarounds spare the groups inside a UUID
	[/(?<![\w-])[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}(?![\w-])/gi, '[codice]']
];

export function scrub(text: string): string {
	return SCRUBBERS.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
}

/** A copy of `value` safe to log: secret-named fields masked, every string scrubbed, errors serialised. */
export function redact(value: unknown, depth = 0): unknown {
	if (typeof value === 'string') return scrub(value);
	if (value === null || typeof value !== 'object') return value;
	if (depth > 8) return '[too deep]';
	if (value instanceof Error) return redact({ ...stdSerializers.err(value) }, depth + 1);
	if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
	if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return scrub(String(value));
	return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1)]));
}

export function createLogger(destination?: DestinationStream, level = 'info'): Logger {
	return pino(
		{
			level,
			timestamp: pino.stdTimeFunctions.isoTime,
			formatters: {
				level: (label) => ({ level: label }),
				log: (fields) => redact(fields) as Record<string, unknown>
			},
			// Errors are serialised (and scrubbed) by redact() above, which runs before serializers.
			serializers: { err: (e: unknown) => e },
			hooks: {
				logMethod(args, method) {
					const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a));
					// Without a message pino takes the error's own, unscrubbed: give it the scrubbed one.
					const first = scrubbed[0] as { err?: unknown } | undefined;
					const error = first instanceof Error ? first : first?.err instanceof Error ? first.err : null;
					if (error && typeof scrubbed[1] !== 'string') scrubbed.splice(1, 0, scrub(error.message));
					method.apply(this, scrubbed as Parameters<typeof method>);
				}
			}
		},
		destination
	);
}

/** The process's logger; its level comes from the configuration at start (LOG_LEVEL). */
export const log = createLogger();

/** For jobs and helpers that take a `(line, error?)` logging function. */
export function logLine(line: string, error?: unknown): void {
	if (error === undefined) log.info(line);
	else log.error({ err: error }, line);
}

const REQUEST_ID = /^[\w.:-]{8,128}$/;

/**
 * The id that ties a request's lines together: a reverse proxy's X-Request-Id (nginx's $request_id)
 * when the connection comes from a trusted proxy and the id is sane, else a fresh one. From
 * anyone else it is ignored: a client must not be able to forge or splice another request's trail.
 */
export function requestIdFor(incoming: string | null, peerAddress: string | undefined, trustedProxies: readonly string[]): string {
	const peer = peerAddress?.startsWith('::ffff:') && isIPv4(peerAddress.slice(7)) ? peerAddress.slice(7) : peerAddress;
	const trusted = peer !== undefined && trustedProxies.includes(peer);
	return trusted && incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
