import { connectionIdOffset } from '../wire/record-connection-id.js';

/** Bytes a record header has after its CID at least: 1.2's length; 1.3's sequence number (one or two bytes) and, in practice, its length. */
const AFTER_CID = 2;
/** A random CID that collides with one in use is drawn again; this many collisions in a row mean the space is full. */
const MAX_DRAWS = 16;

/**
 * A server's sessions by the Connection ID it issued them (RFC 9146). All its CIDs have
 * one length, which is how a record header is read (the header does not carry it). The
 * keys are latin1 strings (one character per byte), cheaper than a byte array per session;
 * looking up an unknown CID allocates nothing that outlives the datagram.
 */
export class ConnectionIdTable<T> {
  private readonly byCid = new Map<string, T>();

  constructor(
    /** Bytes of every CID issued, 0 to 255; 0 issues empty CIDs, which find nothing. */
    readonly length: number,
    private readonly randomBytes: (n: number) => Uint8Array,
    /** Bytes every CID issued starts with (shorter than `length`), the rest random: who routes by it finds this server. */
    private readonly prefix: Uint8Array = new Uint8Array(0),
  ) {}

  /** Sessions registered now. */
  get size(): number {
    return this.byCid.size;
  }

  /** A fresh random CID no session holds (not yet registered); undefined when the CID space is (nearly) full. */
  issue(): Uint8Array | undefined {
    if (this.length === 0) return new Uint8Array(0);
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const cid = new Uint8Array(this.length);
      cid.set(this.prefix, 0);
      cid.set(this.randomBytes(this.length - this.prefix.length), this.prefix.length);
      if (!this.byCid.has(key(cid))) return cid;
    }
    return undefined;
  }

  register(cid: Uint8Array, value: T): void {
    if (cid.length > 0) this.byCid.set(key(cid), value);
  }

  /** Forgets `cid` if it is still `value`'s. */
  release(cid: Uint8Array, value: T): void {
    const k = key(cid);
    if (this.byCid.get(k) === value) this.byCid.delete(k);
  }

  /**
   * Whether the datagram's first record carries a CID (a 1.2 tls12_cid record, a 1.3 unified
   * header with C set) and is long enough to hold one of ours.
   */
  carriesCid(datagram: Uint8Array): boolean {
    const at = connectionIdOffset(datagram);
    return this.length > 0 && at !== undefined && datagram.length >= at + this.length + AFTER_CID;
  }

  /** The session whose CID the datagram's first record carries (see carriesCid), if any. */
  sessionOf(datagram: Uint8Array): T | undefined {
    const at = connectionIdOffset(datagram) ?? 0;
    return this.byCid.get(key(datagram.subarray(at, at + this.length)));
  }
}

function key(cid: Uint8Array): string {
  return String.fromCharCode(...cid);
}
