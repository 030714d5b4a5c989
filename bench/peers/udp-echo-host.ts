import { createSocket } from 'node:dgram';
import { announce } from './child-host.js';

// A plain UDP echo server, no DTLS: what Node's dgram alone costs per datagram (the records table's ceiling row).
const socket = createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
socket.bind(0, '127.0.0.1', () => announce(socket.address().port, () => socket.close()));
