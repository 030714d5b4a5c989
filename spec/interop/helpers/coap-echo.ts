/**
 * Just enough CoAP (RFC 7252 §3) to answer one confirmable request with a
 * piggybacked 2.05 Content carrying the request's payload back, so libcoap's
 * coap-client can serve as a DTLS peer that checks application data.
 */
export function coapEchoResponse(request: Uint8Array): Uint8Array | undefined {
  if (request.length < 4 || request[0] >> 6 !== 1) return undefined;
  const type = (request[0] >> 4) & 0x3;
  const tokenLength = request[0] & 0x0f;
  const code = request[1];
  // Only requests (class 0, not the empty message) get an answer.
  if (code === 0 || code >> 5 !== 0 || tokenLength > 8 || 4 + tokenLength > request.length) return undefined;
  const payload = requestPayload(request, 4 + tokenLength);
  if (payload === undefined) return undefined;
  const CON = 0;
  const ACK = 2;
  const NON = 1;
  const header = [(1 << 6) | ((type === CON ? ACK : NON) << 4) | tokenLength, 0x45 /* 2.05 Content */, request[2], request[3]];
  const token = request.subarray(4, 4 + tokenLength);
  return Uint8Array.from([...header, ...token, ...(payload.length > 0 ? [0xff, ...payload] : [])]);
}

/** The payload after the options (§3.1), or undefined when the options run past the end. */
function requestPayload(message: Uint8Array, start: number): Uint8Array | undefined {
  let at = start;
  while (at < message.length) {
    if (message[at] === 0xff) return message.subarray(at + 1);
    const delta = message[at] >> 4;
    let length = message[at] & 0x0f;
    at += 1;
    if (delta === 15 || length === 15) return undefined;
    at += delta === 13 ? 1 : delta === 14 ? 2 : 0;
    if (length === 13) length = message[at++] + 13;
    else if (length === 14) {
      length = ((message[at] << 8) | message[at + 1]) + 269;
      at += 2;
    }
    at += length;
    if (at > message.length) return undefined;
  }
  return new Uint8Array(0);
}
