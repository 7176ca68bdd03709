import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Binance USD-M market streams (`wss://fstream.binance.com`), combined-stream
 * form only: clients connect to `/stream?streams=a/b/c` and receive `{"stream":"a","data":{...}}` text
 * frames for the streams they named. Anything else is refused at the handshake with 400, as Binance
 * does. Pongs are sent by hand (not `ws`'s autoPong) so a connection can be made to go silent.
 */

export interface FakeWsConnection {
  id: number;
  streams: string[];
  /** Epoch ms. */
  openedAt: number;
  closedAt: number | null;
  /** Payloads (utf8) of the pongs this client sent. */
  pongs: string[];
  /** Client pings received (heartbeats). */
  pings: number;
  /** Messages sent to it. */
  sent: number;
}

export interface FakeWsHandshake {
  /** Epoch ms. */
  at: number;
  path: string;
  /** HTTP status answered: 101 when upgraded. */
  status: number;
}

export interface FakeBinanceWs {
  /** `ws://127.0.0.1:<port>`; clients append `/stream?streams=...`. */
  url: string;
  /** Open client sockets. */
  connections(): number;
  /** Every accepted connection, oldest first. */
  connectionLog(): readonly FakeWsConnection[];
  /** Every upgrade request, refused ones included, oldest first. */
  handshakes(): readonly FakeWsHandshake[];
  /** Sends `{stream, data}` to each open, non-silenced client that named `stream`; returns how many. */
  send(stream: string, data: unknown): number;
  /** Sends `text` as is to every open, non-silenced client (for malformed frames); returns how many. */
  sendRaw(text: string): number;
  /** Terminates every client socket (no close frame: looks like a network loss). */
  dropAll(): void;
  /** Pings every open client. */
  pingAll(payload?: string): void;
  /** The sockets open now stop sending anything, pongs included; later connections behave normally. */
  silenceAll(): void;
  /** Refuses the next `count` handshakes with `status` (default 503). */
  rejectNext(count: number, status?: number): void;
  close(): Promise<void>;
}

interface Client {
  ws: WebSocket;
  record: FakeWsConnection;
  streams: Set<string>;
  silent: boolean;
}

export async function startFakeBinanceWs(options: { port?: number } = {}): Promise<FakeBinanceWs> {
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('upgrade required');
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  const clients = new Set<Client>();
  const log: FakeWsConnection[] = [];
  const handshakes: FakeWsHandshake[] = [];
  let rejections: { count: number; status: number } = { count: 0, status: 503 };

  const refuse = (socket: Duplex, status: number, path: string) => {
    handshakes.push({ at: Date.now(), path, status });
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that gives up mid-handshake resets the socket; that is expected, not a crash.
    socket.on('error', () => {});
    const path = req.url ?? '/';
    const url = new URL(path, 'http://fake');
    const streams = (url.searchParams.get('streams') ?? '').split('/').filter((s) => s.length > 0);
    if (rejections.count > 0) {
      rejections.count -= 1;
      refuse(socket, rejections.status, path);
      return;
    }
    if (url.pathname !== '/stream' || streams.length === 0) {
      refuse(socket, 400, path);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      handshakes.push({ at: Date.now(), path, status: 101 });
      const record: FakeWsConnection = { id: log.length + 1, streams, openedAt: Date.now(), closedAt: null, pongs: [], pings: 0, sent: 0 };
      log.push(record);
      const client: Client = { ws, record, streams: new Set(streams), silent: false };
      clients.add(client);
      ws.on('ping', (payload: Buffer) => {
        record.pings += 1;
        if (!client.silent) ws.pong(payload);
      });
      ws.on('pong', (payload: Buffer) => void record.pongs.push(payload.toString('utf8')));
      ws.on('error', () => {});
      ws.on('close', () => {
        record.closedAt = Date.now();
        clients.delete(client);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const open = () => [...clients].filter((c) => c.ws.readyState === c.ws.OPEN);

  return {
    url: `ws://127.0.0.1:${port}`,
    connections: () => open().length,
    connectionLog: () => log,
    handshakes: () => handshakes,
    send(stream, data) {
      const text = JSON.stringify({ stream, data });
      let n = 0;
      for (const c of open()) {
        if (c.silent || !c.streams.has(stream)) continue;
        c.ws.send(text);
        c.record.sent += 1;
        n += 1;
      }
      return n;
    },
    sendRaw(text) {
      const targets = open().filter((c) => !c.silent);
      for (const c of targets) {
        c.ws.send(text);
        c.record.sent += 1;
      }
      return targets.length;
    },
    dropAll() {
      for (const c of clients) c.ws.terminate();
    },
    pingAll(payload = '') {
      for (const c of open()) c.ws.ping(payload);
    },
    silenceAll() {
      for (const c of clients) c.silent = true;
    },
    rejectNext(count, status = 503) {
      rejections = { count, status };
    },
    async close() {
      for (const c of clients) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
