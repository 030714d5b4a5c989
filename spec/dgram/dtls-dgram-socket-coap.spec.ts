import { Agent, createServer as createCoapServer, request, type IncomingMessage, type ObserveReadStream, type Server } from 'coap';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { credentials } from '../../lib/credentials/credential-store.js';
import { createServer } from '../../lib/endpoint/server.js';
import { clientDgramSocket, type DtlsClientSocket } from '../../lib/dgram/dtls-client-socket.js';
import { serverDgramSocket, type DtlsServerSocket } from '../../lib/dgram/dtls-server-socket.js';
import { memoryLink } from '../../lib/transport/memory.js';

const SERVER = { address: '10.0.0.2', port: 5684 };
const CLIENT = { address: '10.0.0.1', port: 40000 };
const store = () => credentials().psk({ tag: 0, identity: 'CoAP', key: 'esp32c3_key' });

let cleanup: Array<() => void> = [];
afterEach(() => {
  cleanup.reverse().forEach((fn) => fn());
  cleanup = [];
});

interface Setup {
  readonly socket: DtlsServerSocket;
  readonly client: DtlsClientSocket;
  readonly coap: Server;
  readonly agent?: Agent;
  readonly handled: string[];
}

/** node-coap's Server on the server socket and its Agent on the client socket, joined in memory. */
async function setup(options: { agent?: boolean } = {}): Promise<Setup> {
  const [clientEnd, serverEnd] = memoryLink(CLIENT, SERVER);
  const socket = serverDgramSocket(createServer({ transport: serverEnd, credentials: store() }));
  const client = clientDgramSocket({ host: SERVER.address, port: SERVER.port, credentials: store(), transport: clientEnd });
  const coap = createCoapServer();
  // No Agent when a spec talks CoAP on the client socket itself: the Agent would reset replies it did not ask for.
  const agent = options.agent === false ? undefined : new Agent({ socket: client });
  const handled: string[] = [];
  let value = 'off';
  coap.on('request', (req, res) => {
    handled.push(`${req.method} ${req.url}`);
    if (req.method === 'PUT') {
      value = req.payload.toString();
      res.code = '2.04';
      res.end();
    } else if (req.headers.Observe === 0) {
      res.write(value);
      setTimeout(() => res.write('later'), 20);
    } else {
      res.end(value);
    }
  });
  await new Promise<void>((resolve) => coap.listen(socket, () => resolve()));
  cleanup.push(
    () => agent?.close(),
    () => coap.close(),
    () => client.close(),
    () => socket.close(),
  );
  return { socket, client, coap, agent, handled };
}

function get(agent: Agent, pathname: string, method: 'GET' | 'PUT' = 'GET', payload?: string): Promise<IncomingMessage> {
  const req = request({ hostname: SERVER.address, port: SERVER.port, pathname, method, agent });
  const response = once(req, 'response').then(([res]) => res as IncomingMessage);
  req.end(payload);
  return response;
}

describe('node-coap over the DTLS dgram sockets', () => {
  it('answers a GET from node-coap Agent to node-coap Server, both over DTLS', async () => {
    const { agent, client, socket } = await setup();
    const res = await get(agent!, '/light');
    expect(res.code).toBe('2.05');
    expect(res.payload.toString()).toBe('off');
    expect(client.session?.info?.cipherSuite).toMatch(/^TLS_/);
    expect(socket.sessions).toHaveLength(1);
  });

  it('sees a PUT in the next GET', async () => {
    const { agent } = await setup();
    expect((await get(agent!, '/light', 'PUT', 'on')).code).toBe('2.04');
    expect((await get(agent!, '/light')).payload.toString()).toBe('on');
  });

  it('delivers observe notifications after the first response', async () => {
    const { agent } = await setup();
    const req = request({ hostname: SERVER.address, port: SERVER.port, pathname: '/light', observe: true, agent: agent! });
    const stream = once(req, 'response').then(([res]) => res as ObserveReadStream);
    req.end();
    const res = await stream;
    const values: string[] = [];
    res.on('data', (chunk: Buffer) => values.push(chunk.toString()));
    await expect.poll(() => values).toEqual(['off', 'later']);
    res.close();
  });

  it("answers a duplicate confirmable request from node-coap's cache without running the handler twice", async () => {
    // Only a socket that is instanceof dgram.Socket gets this (coap/dist/lib/server.js _handle).
    const { client, handled } = await setup({ agent: false });
    // CON GET, message id 0x1234, token 0xab, Uri-Path "light" (RFC 7252 §3).
    const get = Buffer.from([0x41, 0x01, 0x12, 0x34, 0xab, 0xb5, ...Buffer.from('light')]);
    const replies: Buffer[] = [];
    client.on('message', (msg) => replies.push(msg));
    client.send(get);
    await expect.poll(() => replies.length).toBe(1);
    client.send(get);
    await expect.poll(() => replies.length).toBe(2);
    expect(handled).toEqual(['GET /light']);
    expect(replies[1].equals(replies[0])).toBe(true);
    // An ACK (type 2) with the same message id, payload "off".
    expect(replies[0][0] >> 4).toBe(0x6);
    expect(replies[0].subarray(2, 4)).toEqual(Buffer.from([0x12, 0x34]));
  });
});
