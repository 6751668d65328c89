import { describe, expect, it } from 'vitest';
import { renderAge } from './render-age';

function memoryStorage() {
	const items = new Map<string, string>();
	return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), items };
}

describe('renderAge', () => {
	it('is 0 the first time a render is shown, then the time this phone has shown it', () => {
		const storage = memoryStorage();
		expect(renderAge('2026-11-24T07:00:00.000Z', storage, 1_000)).toBe(0);
		expect(renderAge('2026-11-24T07:00:00.000Z', storage, 1_000 + 7_200_000)).toBe(7_200_000);
		// Another render of the page is new again.
		expect(renderAge('2026-11-25T07:00:00.000Z', storage, 10_000_000)).toBe(0);
	});

	it('keeps the last 50 renders, and starts afresh on a damaged entry or a clock set back', () => {
		const storage = memoryStorage();
		for (let i = 0; i < 60; i++) renderAge(`r${i}`, storage, 1_000 + i);
		expect(Object.keys(JSON.parse(storage.items.get('mensa-aperta:renders')!))).toHaveLength(50);
		expect(renderAge('r59', storage, 2_000)).toBe(941);
		expect(renderAge('r59', storage, 500)).toBe(0);
		storage.setItem('mensa-aperta:renders', '{not json');
		expect(renderAge('r1', storage, 3_000)).toBe(0);
	});
});
