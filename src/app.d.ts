import type { Runtime } from '../server/runtime';
import type { Auth } from '../server/trpc/context';

declare global {
	namespace App {
		interface Locals {
			rt: Runtime;
			auth: Auth | null;
		}
		interface Error {
			message: string;
			/** set in the browser when a navigation's data could not be fetched (src/hooks.client.ts) */
			unreachable?: boolean;
		}
	}
}

export {};
