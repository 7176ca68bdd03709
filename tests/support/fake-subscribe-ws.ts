import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The WebSocket plumbing shared by the fake subscribe-style venues (Bybit v5, OKX v5): one path, text
 * frames handled by the venue (`onText` answers subscriptions and heartbeats in the venue's wire
 * format), topics per client, pushes to the clients subscribed to a topic, and the faults of the fake
 * Binance stream: drop every socket (no close frame), silence the open ones, refuse handshakes.
 */

export interface FakeSubscribeClient {
  id: number;
  openedAt: number;
  closedAt: number | null;
  topics: Set<string>;
  /** Every text frame received, in order. */
  received: string[];
  /** Heartbeats received (the venue's `onText` counts them). */
  pings: number;
  silenced: boolean;
  send(text: string): void;
}

export interface FakeSubscribeWs {
  /** `ws://127.0.0.1:<port><path>`. */
  url: string;
  clients(): readonly FakeSubscribeClient[];
  openClients(): FakeSubscribeClient[];
  /** Sends `text(client)` to each open, non-silenced client subscribed to `topic`; returns how many. */
  publish(topic: string, text: string): number;
  dropAll(): void;
  silenceAll(): void;
  rejectNext(count: number, status?: number): void;
  close(): Promise<void>;
}

export async function startFakeSubscribeWs(options: {
  path: string;
  /** A frame from a client: answer it (subscribe ack, pong) and update `client.topics`. */
  onText(client: FakeSubscribeClient, text: string): void;
  /** Called once per tick (default every 100 ms) for pushes driven by the clock. */
  onTick?(ws: FakeSubscribeWs): void;
  tickMs?: number;
  now?: () => number;
}): Promise<FakeSubscribeWs> {
  const now = options.now ?? Date.now;
  const server = createServer((_req, res) => {
    res.writeHead(426).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  const log: FakeSubscribeClient[] = [];
  const open = new Map<FakeSubscribeClient, WebSocket>();
  let reject = { count: 0, status: 503 };
  let nextId = 1;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (reject.count > 0 || path !== options.path) {
      const status = path !== options.path ? 404 : reject.status;
      if (path === options.path) reject.count -= 1;
      socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: FakeSubscribeClient = {
        id: nextId++,
        openedAt: now(),
        closedAt: null,
        topics: new Set(),
        received: [],
        pings: 0,
        silenced: false,
        send: (text) => {
          if (!client.silenced && ws.readyState === ws.OPEN) ws.send(text);
        },
      };
      log.push(client);
      open.set(client, ws);
      ws.on('message', (data) => {
        if (client.silenced) return;
        const text = data.toString('utf8');
        client.received.push(text);
        options.onText(client, text);
      });
      ws.on('close', () => {
        client.closedAt = now();
        open.delete(client);
      });
      ws.on('error', () => undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeSubscribeWs = {
    url: `ws://127.0.0.1:${port}${options.path}`,
    clients: () => log,
    openClients: () => [...open.keys()],
    publish(topic, text) {
      let n = 0;
      for (const client of open.keys())
        if (client.topics.has(topic) && !client.silenced) {
          client.send(text);
          n += 1;
        }
      return n;
    },
    dropAll() {
      for (const ws of open.values()) ws.terminate();
    },
    silenceAll() {
      for (const client of open.keys()) client.silenced = true;
    },
    rejectNext(count, status = 503) {
      reject = { count, status };
    },
    async close() {
      clearInterval(timer);
      for (const ws of open.values()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const timer = setInterval(() => options.onTick?.(fake), options.tickMs ?? 100);
  timer.unref();
  return fake;
}
