import type { Runtime } from '../server/runtime';
import type { Auth } from '../server/trpc/context';

declare global {
	namespace App {
		interface Locals {
			rt: Runtime;
			auth: Auth | null;
			/** ties a request's log lines together; echoed as X-Request-Id (src/lib/server/request-log.ts) */
			requestId: string;
		}
		/** adapter-node's: the peer address decides whether a proxy's X-Request-Id is trusted */
		interface Platform {
			req?: import('node:http').IncomingMessage;
		}
		interface Error {
			message: string;
			/** set in the browser when a navigation's data could not be fetched (src/hooks.client.ts) */
			unreachable?: boolean;
		}
	}
}

export {};
