import { createPlaintext } from 'werift-dtls/lib/dtls/src/record/builder.js';
import type { DtlsSocket } from 'werift-dtls/lib/dtls/src/index.js';

const ALERT = 21;
/** RFC 5246 §7.2.1: warning(1), close_notify(0). */
const CLOSE_NOTIFY = Buffer.from([1, 0]);

/**
 * werift's close() only closes the transport: it never sends close_notify, and openssl
 * s_server, which serves one client at a time, would wait for that client forever. This
 * sends the alert through werift's own record layer and cipher, as its send() does for data.
 */
export async function sendCloseNotify(socket: DtlsSocket): Promise<void> {
  const [record] = createPlaintext(socket.dtls)([{ type: ALERT, fragment: CLOSE_NOTIFY }], ++socket.dtls.recordSequenceNumber);
  await socket.transport.send(socket.cipher.encryptPacket(record).serialize());
}
