import { problemOf } from './trpc';

/** What every client-side form tracks around its request: whether it is in flight, and what went wrong overall and per field. */
export class FormSubmit {
	busy = $state(false);
	problem = $state<string | null>(null);
	fieldErrors = $state<Record<string, string>>({});

	readonly #summary: string | null;

	/** With `summary`, a refusal that names fields shows it instead of the server's message, which the fields already say. */
	constructor(summary: string | null = null) {
		this.#summary = summary;
	}

	/** Runs the request; a refusal lands in `problem` and `fieldErrors`. True when it went through. */
	async run(request: () => Promise<unknown>): Promise<boolean> {
		this.fail({}, null);
		this.busy = true;
		try {
			await request();
			return true;
		} catch (e) {
			const p = problemOf(e);
			this.fail(p.fieldErrors, this.#summary && Object.keys(p.fieldErrors).length ? this.#summary : p.message);
			return false;
		} finally {
			this.busy = false;
		}
	}

	/** Shows mistakes found before any request. */
	fail(fieldErrors: Record<string, string>, problem: string | null): void {
		this.fieldErrors = fieldErrors;
		this.problem = problem;
	}
}
