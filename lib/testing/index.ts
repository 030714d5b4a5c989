/**
 * rx-dtls/testing: run an application's DTLS endpoints in virtual time, with real
 * handshakes, loss, reordering and timeouts, deterministically and without waiting.
 * See docs/testing-in-virtual-time.md.
 * @packageDocumentation
 */
export { VirtualTime } from './virtual-time.js';
export { virtualPair, type VirtualPair, type VirtualPairOptions, type LinkDirection } from './virtual-pair.js';
export { virtualFleet, type VirtualFleet, type VirtualFleetOptions } from './virtual-fleet.js';
export { MemoryHub, type HubFilter } from './memory-hub.js';
export { memoryLink, type MemoryLinkOptions } from '../transport/memory.js';
export type { Datagram, DatagramTransport, PeerAddress } from '../transport/datagram.js';
export { impair, type ImpairOptions, type ImpairmentKind } from '../impairment/impair.js';
