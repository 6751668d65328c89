/*
 * Names shared by the service worker's build configuration (vite.pwa.ts) and the client: the
 * Cache Storage cache that holds a guardian's pages for offline reading, and the offline shell.
 */

/** Personal pages (Home, consumer, giorni, estratto conto, Punto LIS, Profilo): wiped on logout. */
export const PAGES_CACHE = 'mensa-pagine';

/** The parent pages readable offline: Home, the consumer page, its giorni, estratto conto and Punto LIS card, Profilo. */
export const OFFLINE_PAGES = /^\/(home|profilo|consumatori(\/\d+(\/giorni|\/estratto-conto\/\d+|\/punto-lis\/\d+)?)?)\/?$/;

/** The prerendered shell served for any navigation that neither the network nor the cache can answer. */
export const OFFLINE_SHELL = '/offline';

/** Workbox's Background Sync queue of mark batches that failed for lack of network (wiped on logout). */
export const MARKS_SYNC_QUEUE = 'marks';
