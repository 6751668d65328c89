/** Asks `probe` again every 250 ms until `ok` holds: for what the server does on its own (the day close). */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (ok(value)) return value;
		if (Date.now() > deadline) throw new Error(`still not there after ${timeoutMs} ms: ${JSON.stringify(value).slice(0, 300)}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}
