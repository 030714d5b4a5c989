/**
 * The fuzzers drive rx-dtls/testing's hand-stepped TestScheduler, as the endpoint specs do.
 * An error thrown by a scheduled action surfaces from `advanceTo`, so the caller can
 * count it as an escape.
 */
export { VirtualTime as VirtualClock } from '../../../lib/testing/index.js';
