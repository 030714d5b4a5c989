/**
 * The fuzzers drive the same hand-stepped TestScheduler as the endpoint specs. An
 * error thrown by a scheduled action surfaces from `advanceTo`, so the caller can
 * count it as an escape.
 */
export { VirtualTime as VirtualClock } from '../../endpoint/helpers/virtual-time.js';
