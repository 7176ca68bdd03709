import { createServer } from 'node:net';

/**
 * A port this process bound and closed again, so nothing listens there right now. Tests that need a
 * refused connection use this instead of assuming a well-known port (9, 1) is closed on the machine.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
