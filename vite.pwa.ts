import type { SvelteKitPWAOptions } from '@vite-pwa/sveltekit';
import { MARKS_SYNC_QUEUE, OFFLINE_PAGES, OFFLINE_SHELL, PAGES_CACHE } from './src/lib/shared/pwa';

/*
 * The service worker (Workbox generateSW). Online, every navigation still gets the server's own
 * SSR answer: there is no navigateFallback (that would answer every navigation with the shell).
 * Instead:
 * - the parent pages a guardian reads offline go NetworkFirst: the network's answer when it comes
 *   within a few seconds, kept in PAGES_CACHE for the next offline reload (wiped on logout);
 * - every other page goes to the network only (login, Ricarica, staff, simulators are never cached);
 * - both fall back to the prerendered shell when neither network nor cache can answer.
 * /api/, /auth/, the health probes (/healthz, /readyz: the shell standing in for them would lie)
 * and downloads are not routed at all: the browser handles them as without a worker,
 * but for one request: a batch of marks that fails for lack of network is kept by Background Sync
 * (where the browser has it) and sent again when the network is back, even with the app closed.
 * The page's outbox sends the same marks with the same mutationIds too; the server applies each once.
 * The matchers are serialised into sw.js: functions by their source, hence the literals inside them.
 */
export const pwaOptions: SvelteKitPWAOptions = {
	strategies: 'generateSW',
	registerType: 'prompt',
	// workbox-window registers the worker from the layout (src/lib/components/PwaClient.svelte).
	injectRegister: false,
	// static/manifest.webmanifest is the manifest.
	manifest: false,
	workbox: {
		// Only the shell, never the cached HTML, answers unknown navigations; null keeps the plugin's default ('/') out.
		navigateFallback: null,
		navigateFallbackDenylist: [/^\/api\//],
		// The first install takes over the open page at once (it is the page that registered it);
		// later versions wait for "Aggiorna" (SKIP_WAITING), so nothing reloads under the user's fingers.
		clientsClaim: true,
		skipWaiting: false,
		cleanupOutdatedCaches: true,
		globPatterns: ['client/**/*.{js,css,ico,png,svg,webmanifest,woff2}', 'prerendered/**/*.html'],
		runtimeCaching: [
			{
				urlPattern: ({ url }) => url.pathname === '/api/trpc/meals.mark',
				method: 'POST',
				handler: 'NetworkOnly',
				// A mark is worth sending for a day at most: after that its day has long been closed.
				options: { backgroundSync: { name: MARKS_SYNC_QUEUE, options: { maxRetentionTime: 24 * 60 } } }
			},
			{
				// A regular expression (matched against the whole same-origin URL) is serialised as is;
				// only page GETs have these paths (SvelteKit's data requests end in __data.json).
				urlPattern: new RegExp(`^https?://[^/]+${OFFLINE_PAGES.source.slice(1)}`),
				handler: 'NetworkFirst',
				options: {
					cacheName: PAGES_CACHE,
					networkTimeoutSeconds: 4,
					// 200 only: a redirect to the login page (session over) must not replace the page.
					cacheableResponse: { statuses: [200] },
					expiration: { maxEntries: 60 },
					precacheFallback: { fallbackURL: OFFLINE_SHELL }
				}
			},
			{
				urlPattern: ({ request, url }) =>
					request.mode === 'navigate' && !/^\/(api|auth)\/|^\/(healthz|readyz)$/.test(url.pathname) && !/(\.(pdf|csv)|\/(pdf|csv)|\/avviso\/\d+)$/.test(url.pathname),
				handler: 'NetworkOnly',
				options: { precacheFallback: { fallbackURL: OFFLINE_SHELL } }
			}
		]
	}
};
