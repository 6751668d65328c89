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
		}
	}
}

export {};
