import { Worker } from 'node:worker_threads';

/**
 * A worker thread that runs the module `moduleUrl` (the caller's import.meta.url) again, where a
 * top-level check on workerData picks the task. In the built server that is the chunk the module
 * was bundled into; under tsx or Vitest it is the TypeScript source, loaded through tsx's loader.
 */
export function workerRunning(moduleUrl: string, workerData: { task: string }): Worker {
	const entry = moduleUrl.endsWith('.ts') ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); })` : new URL(moduleUrl);
	return new Worker(entry, { workerData, eval: typeof entry === 'string' });
}
