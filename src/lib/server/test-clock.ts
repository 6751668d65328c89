import { shiftableClock } from '$server/clock';

/**
 * Only a build made with `vite build --mode test` (npm test) can move the server's clock: in the
 * production build this condition is the constant `false` and the clock is never created.
 */
export const testClock = import.meta.env.MODE === 'test' && process.env.MENSA_TEST_CLOCK === '1' ? shiftableClock() : null;
