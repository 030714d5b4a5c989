// Session.droppedRecords counts every record a handshaking session throws away, including
// those whose handshake fragments the reassembler refuses.
import { describe, expect, it } from 'vitest';
import { ContentType, HandshakeType } from '../../lib/wire/constants.js';
import { encodeHandshakeFragment } from '../../lib/wire/handshake-header.js';
import { keyExchange } from '../fuzz/helpers/key-exchanges.js';
import { Lab } from '../fuzz/helpers/lab.js';
import { ScriptedClient } from '../fuzz/helpers/scripted-client.js';

describe('droppedRecords during the handshake', () => {
  it('counts records whose fragments the reassembler drops: outside the message_seq window, or longer than the budget allows', async () => {
    const setup = keyExchange('PSK');
    const lab = await new Lab({ setup, seed: 3, withClient: false, server: { maxHandshakeBufferBytes: 4_096 } }).start();
    const peer = new ScriptedClient(lab, setup);
    await peer.negotiate();
    const session = lab.serverSessions[0];
    const fragment = (messageSeq: number, length: number) =>
      peer.io.record(
        ContentType.handshake,
        0,
        encodeHandshakeFragment({ msgType: HandshakeType.certificate, length, messageSeq, fragmentOffset: 0, fragmentLength: 10, body: new Uint8Array(10) }),
      );
    const before = session.droppedRecords;

    peer.io.transmit(fragment(200, 100)); // far past the sequencer's window
    peer.io.transmit(fragment(3, 3_000)); // longer than half of maxHandshakeBufferBytes
    lab.clock.advanceBy(1);

    expect(session.droppedRecords - before).toBe(2);
    expect(session.state).toBe('handshaking');
    lab.close();
  });
});
