import { concatBytes } from '@noble/hashes/utils.js';
import { splitRecords, type RawRecord } from '../../../lib/record/split-records.js';
import { ContentType, DTLS_1_0, DTLS_1_2, HandshakeType } from '../../../lib/wire/constants.js';
import { decodeHandshakeFragments, encodeHandshakeFragment, type HandshakeFragment } from '../../../lib/wire/handshake-header.js';
import { encodeRecordHeader, type RecordHeader } from '../../../lib/wire/record-header.js';
import { mutate } from '../../wire/helpers/mutate.js';
import type { Prng } from '../../wire/helpers/prng.js';
import type { Recording } from './corpus.js';

/** What a mutation or forgery may draw on besides the datagram at hand. */
export interface MutationContext {
  /** Genuine datagrams seen so far in this session, either direction. */
  readonly seen: readonly Uint8Array[];
  /** Another session's handshake of the same kind: replays and bodies of real messages. */
  readonly foreign: Recording;
  /** The length of the Connection ID the endpoints use (RFC 9146), when they do: records are read with it and forged with it. */
  readonly cidLength?: number;
}

// DTLS 1.3's ack and a unified-header first byte (001CSLEE, RFC 9147 §4) among them: what a 1.3 peer sends a 1.2 endpoint.
const CONTENT_TYPES = [ContentType.change_cipher_spec, ContentType.alert, ContentType.handshake, ContentType.application_data, ContentType.tls12_cid, ContentType.ack, 0x2c, 0, 24, 255];
const HANDSHAKE_TYPES = Object.values(HandshakeType) as number[];
const EPOCHS = [0, 0, 1, 1, 2, 0xffff];
const MAX_SEQUENCE_NUMBER = 2 ** 48 - 1;
const SEQUENCE_NUMBERS = [0, 1, 2, 3, 7, 64, 65, 1000, 2 ** 32, MAX_SEQUENCE_NUMBER - 1, MAX_SEQUENCE_NUMBER];

interface Rec {
  header: RecordHeader;
  fragment: Uint8Array;
}

const copy = (r: RawRecord): Rec => ({ header: { ...r.header }, fragment: r.fragment });

function encodeRecord(r: Rec): Uint8Array {
  return concatBytes(encodeRecordHeader({ ...r.header, length: r.fragment.length }), r.fragment);
}

function encodeFragments(fragments: readonly HandshakeFragment[]): Uint8Array {
  return concatBytes(...fragments.map((f) => encodeHandshakeFragment(f)));
}

function wholeFragment(msgType: number, messageSeq: number, body: Uint8Array): HandshakeFragment {
  return { msgType, length: body.length, messageSeq, fragmentOffset: 0, fragmentLength: body.length, body };
}

/** Cuts whole messages into fragments at random points, some overlapping, in a shuffled order. */
function refragment(p: Prng, fragments: readonly HandshakeFragment[]): HandshakeFragment[] {
  const out: HandshakeFragment[] = [];
  for (const f of fragments) {
    const cuts = [0, ...p.list(0, 4, () => p.int(f.fragmentLength + 1)), f.fragmentLength].sort((a, b) => a - b);
    for (let i = 0; i + 1 < cuts.length; i++) {
      const start = Math.max(0, cuts[i] - (p.int(4) === 0 ? p.int(3) : 0));
      const end = cuts[i + 1];
      if (end <= start && f.length > 0) continue;
      const body = f.body.subarray(start, end);
      out.push({ ...f, fragmentOffset: f.fragmentOffset + start, fragmentLength: body.length, body });
    }
  }
  return shuffle(p, out);
}

function shuffle<T>(p: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = p.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function bodyOf(p: Prng, foreign: Recording, msgType: number): Uint8Array {
  const bodies = foreign.bodies.get(msgType) ?? [...foreign.bodies.values()].flat();
  if (bodies.length === 0 || p.int(5) === 0) return p.blob(0, 80);
  const body = p.pick(bodies);
  return p.bool() ? body : mutate(p, body);
}

/**
 * A structure-aware mutation of a real datagram: the records are taken apart
 * and one or two things changed where they matter (header fields, record
 * order and multiplicity, handshake fragment fields, fragmentation, message
 * bodies re-framed with correct lengths so they reach the message decoders and
 * the state machine, bits of protected records), or, now and then, a plain
 * byte-level mutation.
 */
export function mutateDatagram(p: Prng, data: Uint8Array, ctx: MutationContext): Uint8Array {
  const records = splitRecords(data, ctx.cidLength).records.map(copy);
  if (records.length === 0 || p.int(8) === 0) return mutate(p, data);
  for (let ops = p.range(1, 2); ops > 0 && records.length > 0; ops--) {
    const i = p.int(records.length);
    const r = records[i];
    switch (p.int(14)) {
      case 0:
        r.header.epoch = p.pick([...EPOCHS, Math.min(0xffff, r.header.epoch + 1), Math.max(0, r.header.epoch - 1)]);
        break;
      case 1:
        r.header.sequenceNumber = p.pick([...SEQUENCE_NUMBERS, Math.min(MAX_SEQUENCE_NUMBER, r.header.sequenceNumber + 1), Math.max(0, r.header.sequenceNumber - 1)]);
        break;
      case 2:
        r.header.contentType = p.pick(CONTENT_TYPES);
        break;
      case 3:
        r.header.version = p.pick([DTLS_1_0, DTLS_1_2, 0x0303, 0xfefc, p.int(0x10000)]);
        break;
      case 4:
        records.splice(i, 1);
        break;
      case 5:
        records.splice(p.int(records.length + 1), 0, { header: { ...r.header }, fragment: r.fragment });
        break;
      case 6:
        shuffle(p, records);
        break;
      case 7:
      case 8:
      case 9:
      case 10:
        mutateHandshakeRecord(p, r, ctx);
        break;
      case 11:
        // A protected record with a flipped bit: must fail authentication, nothing else.
        if (r.fragment.length > 0) {
          const f = r.fragment.slice();
          f[p.int(f.length)] ^= 1 << p.int(8);
          r.fragment = f;
        }
        break;
      case 12: {
        const donors = [...ctx.seen, ...ctx.foreign.datagrams.map((d) => d.data)];
        const donor = splitRecords(p.pick(donors)).records;
        if (donor.length > 0) records.splice(p.int(records.length + 1), 0, copy(p.pick(donor)));
        break;
      }
      case 13:
        r.fragment = r.fragment.subarray(0, p.int(r.fragment.length + 1));
        break;
    }
  }
  const out = concatBytes(...records.map(encodeRecord));
  // Now and then the record length field lies about what follows.
  if (out.length >= 13 && p.int(10) === 0) {
    const lie = p.pick([0, 1, 0xffff, out.length - 13 + 1, Math.max(0, out.length - 13 - 1)]);
    out[11] = (lie >> 8) & 0xff;
    out[12] = lie & 0xff;
  }
  return out;
}

function mutateHandshakeRecord(p: Prng, r: Rec, ctx: MutationContext): void {
  const decoded = r.header.contentType === ContentType.handshake ? decodeHandshakeFragments(r.fragment) : undefined;
  if (!decoded?.ok) {
    r.fragment = mutate(p, r.fragment);
    return;
  }
  const fragments = decoded.value.map((f) => ({ ...f }));
  const f = p.pick(fragments);
  switch (p.int(8)) {
    case 0:
      f.msgType = p.pick([...HANDSHAKE_TYPES, p.int(256)]);
      break;
    case 1:
      f.messageSeq = p.pick([0, 1, 2, 3, 4, 5, 6, Math.min(0xffff, f.messageSeq + 1), Math.max(0, f.messageSeq - 1), 0xffff, p.int(0x10000)]);
      break;
    case 2: {
      // Header fields that contradict the body: length, offset (kept self-consistent so the record still decodes).
      const claimed = Math.min(0xffffff, p.pick([f.length + 1, f.length * 2, 0xffffff, f.length + p.int(100)]));
      f.length = Math.max(f.fragmentOffset + f.fragmentLength, claimed);
      if (p.bool()) f.fragmentOffset = p.int(f.length - f.fragmentLength + 1);
      break;
    }
    case 3: {
      const refragmented = refragment(p, fragments);
      r.fragment = encodeFragments(refragmented);
      return;
    }
    case 4:
    case 5: {
      // The body mutated and re-framed, so the mutation reaches the message decoder.
      if (f.fragmentOffset !== 0 || f.fragmentLength !== f.length) break;
      const body = mutate(p, f.body);
      Object.assign(f, wholeFragment(f.msgType, f.messageSeq, body));
      break;
    }
    case 6: {
      // A real body of another message type, or of the same type from another session.
      const body = bodyOf(p, ctx.foreign, p.bool() ? f.msgType : p.pick(HANDSHAKE_TYPES));
      Object.assign(f, wholeFragment(f.msgType, f.messageSeq, body));
      break;
    }
    case 7:
      fragments.splice(p.int(fragments.length + 1), 0, { ...f });
      break;
  }
  r.fragment = encodeFragments(fragments);
}

/**
 * A tls12_cid record (RFC 9146 §4) with the session's CID, as seen on the wire, or a random
 * one: it reaches the session by its CID, from wherever it comes, and must not authenticate.
 */
function cidRecord(p: Prng, ctx: MutationContext, cidLength: number): Uint8Array {
  const carrier = ctx.seen.filter((d) => d[0] === ContentType.tls12_cid && d.length >= 13 + cidLength);
  const cid = carrier.length > 0 && p.int(4) !== 0 ? p.pick(carrier).slice(11, 11 + cidLength) : p.bytes(cidLength);
  const header = { contentType: ContentType.tls12_cid, version: DTLS_1_2, epoch: p.pick(EPOCHS), sequenceNumber: p.pick(SEQUENCE_NUMBERS), cid, length: 0 };
  return encodeRecord({ header, fragment: p.blob(0, 80) });
}

/**
 * A datagram an attacker makes up: records of every content type with
 * well-formed headers in plausible and implausible epochs, handshake messages
 * of every type with real or random bodies, replays from this and another
 * session, or noise.
 */
export function forgeDatagram(p: Prng, ctx: MutationContext): Uint8Array {
  const record = (contentType: number, epoch: number, fragment: Uint8Array): Uint8Array =>
    encodeRecord({ header: { contentType, version: DTLS_1_2, epoch, sequenceNumber: p.pick(SEQUENCE_NUMBERS), length: 0 }, fragment });
  switch (p.int(10)) {
    case 0:
      return record(ContentType.change_cipher_spec, p.pick(EPOCHS), p.pick([new Uint8Array([1]), new Uint8Array([2]), new Uint8Array(0), new Uint8Array([1, 1])]));
    case 1:
      return record(ContentType.alert, p.pick(EPOCHS), new Uint8Array([p.pick([1, 2, 0, 3]), p.pick([0, 10, 20, 40, 42, 47, 50, 51, 90, 100, p.int(256)])]));
    case 2:
      return record(ContentType.application_data, p.pick(EPOCHS), p.blob(0, 64));
    case 3:
    case 4: {
      const msgType = p.pick(HANDSHAKE_TYPES);
      const body = msgType === HandshakeType.finished && p.bool() ? p.bytes(12) : bodyOf(p, ctx.foreign, msgType);
      const fragment = wholeFragment(msgType, p.pick([0, 1, 2, 3, 4, 5, 6, p.int(0x10000)]), body);
      const fragments = p.bool() ? [fragment] : refragment(p, [fragment]);
      return record(ContentType.handshake, p.int(4) === 0 ? p.pick(EPOCHS) : 0, encodeFragments(fragments));
    }
    case 5:
      return p.bool() || !ctx.cidLength ? record(p.pick(CONTENT_TYPES), p.pick(EPOCHS), p.blob(0, 120)) : cidRecord(p, ctx, ctx.cidLength);
    case 6:
    case 7: {
      const pool = p.bool() && ctx.seen.length > 0 ? ctx.seen : ctx.foreign.datagrams.map((d) => d.data);
      return p.pick(pool);
    }
    case 8:
      return mutateDatagram(p, p.pick(ctx.foreign.datagrams).data, ctx);
    default:
      return p.blob(0, 200);
  }
}
