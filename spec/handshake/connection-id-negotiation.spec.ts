import { describe, expect, it } from 'vitest';
import { clientConnectionIds, offerConnectionId, serverConnectionIds } from '../../lib/handshake/connection-id-negotiation.js';
import { AlertDescription } from '../../lib/wire/alert.js';
import { encodeConnectionIdExtension } from '../../lib/wire/connection-id-extension.js';
import { ExtensionType } from '../../lib/wire/extensions.js';

const ours = Uint8Array.of(1, 2, 3, 4);
const theirs = Uint8Array.of(9, 9);
const malformed = [{ type: ExtensionType.connection_id, data: Uint8Array.of(5, 1) }];

describe('connection_id negotiation (RFC 9146 §3)', () => {
  it('the client offers the CID it wants to receive, an empty one included, or nothing without a policy', () => {
    expect(offerConnectionId({ own: ours, required: false })).toEqual(encodeConnectionIdExtension(ours));
    expect(offerConnectionId({ own: new Uint8Array(0), required: false })?.data).toEqual(Uint8Array.of(0));
    expect(offerConnectionId(undefined)).toBeUndefined();
  });

  it('the server answers an offer with its own CID; each side then sends the other\'s', () => {
    const server = serverConnectionIds({ own: ours, required: false }, [encodeConnectionIdExtension(theirs)]);
    expect(server).toEqual({ ok: true, value: { extension: encodeConnectionIdExtension(ours), ids: { read: ours, write: theirs } } });
    const client = clientConnectionIds({ own: theirs, required: false }, [encodeConnectionIdExtension(ours)]);
    expect(client).toEqual({ ok: true, value: { read: theirs, write: ours } });
  });

  it('without an offer, or with CIDs switched off, the server sends no extension and no CIDs are used', () => {
    expect(serverConnectionIds({ own: ours, required: false }, [])).toEqual({ ok: true, value: undefined });
    expect(serverConnectionIds(undefined, [encodeConnectionIdExtension(theirs)])).toEqual({ ok: true, value: undefined });
    expect(clientConnectionIds({ own: theirs, required: false }, [])).toEqual({ ok: true, value: undefined });
  });

  it('require: a server refuses a client that does not offer, a client a server that does not answer (handshake_failure)', () => {
    expect(serverConnectionIds({ own: ours, required: true }, [])).toMatchObject({ ok: false, alert: AlertDescription.handshake_failure });
    expect(clientConnectionIds({ own: theirs, required: true }, [])).toMatchObject({ ok: false, alert: AlertDescription.handshake_failure });
  });

  it('a malformed extension is a decode_error on either side', () => {
    expect(serverConnectionIds({ own: ours, required: false }, malformed)).toMatchObject({ ok: false, alert: AlertDescription.decode_error });
    expect(clientConnectionIds({ own: theirs, required: false }, malformed)).toMatchObject({ ok: false, alert: AlertDescription.decode_error });
  });
});
