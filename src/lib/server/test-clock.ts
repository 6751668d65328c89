import { shiftableClock } from '$server/clock';

/**
 * Only a build made with `vite build --mode test` (npm test) can move the server's clock: in the
 * production build this condition is the constant `false` and the clock is never created.
 * MENSA_TEST_NOW starts it at a fixed instant, so the demo seed (school year, Comuni's start)
 * is the same whatever day the tests run.
 */
export const testClock = import.meta.env.MODE === 'test' && process.env.MENSA_TEST_CLOCK === '1' ? startTestClock() : null;

function startTestClock() {
	const clock = shiftableClock();
	if (process.env.MENSA_TEST_NOW) clock.shiftTo(new Date(process.env.MENSA_TEST_NOW));
	return clock;
}
