import { invalidateAll } from '$app/navigation';
import { problemOf } from '$lib/client/trpc';

/** One form's round trip: busy while sending, then the success line or the errors next to the fields. */
export class FormState {
	busy = $state(false);
	problem = $state<string | null>(null);
	done = $state<string | null>(null);
	errors = $state<Record<string, string>>({});

	async run(call: () => Promise<string>): Promise<boolean> {
		this.busy = true;
		this.problem = null;
		this.done = null;
		this.errors = {};
		try {
			const message = await call();
			await invalidateAll();
			this.done = message;
			return true;
		} catch (e) {
			const p = problemOf(e);
			this.errors = p.fieldErrors;
			this.problem = Object.keys(p.fieldErrors).length ? 'Controlla i campi evidenziati.' : p.message;
			return false;
		} finally {
			this.busy = false;
		}
	}
}
