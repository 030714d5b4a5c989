/**
 * A PSK handshake over memoryLink in real time, then close: run as its own process by
 * spec/endpoint/debug-log.spec.ts to see what NODE_DEBUG=rx-dtls prints.
 */
import { connect } from '../../../lib/endpoint/client.js';
import { createServer } from '../../../lib/endpoint/server.js';
import { memoryLink } from '../../../lib/transport/memory.js';
import { CLIENT_ADDRESS, SERVER_ADDRESS, pskStore } from './pair.js';

const [clientEnd, serverEnd] = memoryLink(CLIENT_ADDRESS, SERVER_ADDRESS);
const server = createServer({ credentials: pskStore(), transport: serverEnd });
const session = await connect({ credentials: pskStore(), host: SERVER_ADDRESS.address, port: SERVER_ADDRESS.port, transport: clientEnd, keyLog: undefined });
session.close();
server.close();
