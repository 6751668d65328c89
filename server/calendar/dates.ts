/** The calendar arithmetic the server uses is the one the pages use: a single module. */
export { addDays, daysBetween, eachDay, isIsoDate as isValidIsoDate, isoWeekday, type IsoDate } from '../../src/lib/shared/dates.js';
