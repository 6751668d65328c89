/** Every rule that depends on time takes a Clock, so tests move time instead of sleeping. */
export interface Clock {
	now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(at: Date | string): Clock & { set(at: Date | string): void; advance(ms: number): void } {
	let current = new Date(at);
	return {
		now: () => new Date(current),
		set: (next) => {
			current = new Date(next);
		},
		advance: (ms) => {
			current = new Date(current.getTime() + ms);
		}
	};
}

/** Real time shifted by an offset the tests set: time still runs, from wherever they put it. */
export function shiftableClock(): Clock & { shiftTo(at: Date): void } {
	let offset = 0;
	return {
		now: () => new Date(Date.now() + offset),
		shiftTo: (at) => {
			offset = at.getTime() - Date.now();
		}
	};
}
