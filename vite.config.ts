import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { pwaOptions } from './vite.pwa';

export default defineConfig({
	plugins: [sveltekit(), SvelteKitPWA(pwaOptions)],
	css: {
		preprocessorOptions: {
			scss: {
				// bootstrap-italia still uses @import and global functions.
				silenceDeprecations: ['import', 'global-builtin', 'color-functions', 'mixed-decls', 'legacy-js-api', 'if-function', 'abs-percent', 'slash-div'],
				quietDeps: true
			}
		}
	},
	test: {
		reporters: ['default', './tests/summary-reporter.ts'],
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['server/**/*.test.ts', 'src/**/*.test.ts', 'scripts/**/*.test.ts'],
					environment: 'node',
					sequence: { groupOrder: 0 }
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 120_000,
					// A browser's answer on a loaded CI machine can take seconds: a poll fails only if it never comes.
					expect: { poll: { timeout: 10_000 } },
					// Each file starts its own server; on two cores, two files at a time.
					maxWorkers: 2,
					sequence: { groupOrder: 1 }
				}
			}
		]
	}
});
