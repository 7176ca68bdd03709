import net from 'node:net';

/** A loopback TCP proxy whose listener and live connections can be cut to simulate a database outage. */
export function createCuttableProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  return {
    open(listenPort = 0): Promise<number> {
      server = net.createServer((client) => {
        const upstream = net.connect(port, host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      const listening = server;
      return new Promise((resolve) => listening.listen(listenPort, '127.0.0.1', () => resolve((listening.address() as net.AddressInfo).port)));
    },
    async cut() {
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      for (const s of sockets) s.destroy();
      await closed;
      server = undefined;
    },
    async close() {
      await this.cut();
    },
  };
}
