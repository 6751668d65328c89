import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// npm test builds apart (build-test, with the test clock compiled in); npm start builds build/.
		adapter: adapter({ out: process.env.BUILD_DIR ?? 'build' }),
		alias: {
			$server: 'server'
		},
		// workbox-window registers the service worker (offline issue); SvelteKit must not.
		serviceWorker: { register: false },
		// Absolute asset URLs: the prerendered offline shell is also served at nested addresses
		// (/login/mazze, /consumatori/3/…), where relative ones would point nowhere.
		paths: { relative: false },
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['none'],
				'frame-ancestors': ['none'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
