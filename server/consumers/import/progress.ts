/*
 * How far an import has got, for the page that polls while its upload is being read and written.
 * In memory: an import runs in this process, and a restart ends it (its transaction with it).
 * Keyed by Comune, user and the page's own random id, so nobody else can read it.
 */

export interface ImportProgress {
	phase: 'lettura' | 'verifica' | 'scrittura' | 'fatto';
	done: number;
	total: number;
}

const KEEP_MS = 60_000;
const MAX_ENTRIES = 1_000;
const entries = new Map<string, ImportProgress>();

export interface ProgressOwner {
	tenantId: number;
	userId: string;
	jobId: string;
}

const keyOf = (o: ProgressOwner) => `${o.tenantId}:${o.userId}:${o.jobId}`;

export type ProgressReporter = (p: ImportProgress) => void;

export function progressReporter(owner: ProgressOwner | null): ProgressReporter {
	if (!owner) return () => {};
	const key = keyOf(owner);
	return (p) => {
		if (!entries.has(key) && entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
		entries.set(key, p);
		// Kept a while after the end, so the page's last poll still finds it.
		if (p.phase === 'fatto') setTimeout(() => entries.delete(key), KEEP_MS).unref();
	};
}

export function progressOf(owner: ProgressOwner): ImportProgress | null {
	return entries.get(keyOf(owner)) ?? null;
}
