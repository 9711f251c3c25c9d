import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP relay between the server and its database that can, on command, destroy every connection through it at
 * once, as a broken network path or a firewall dropping state would, while the database itself stays up.
 */
export interface TcpCutProxy {
  port: number;
  /** Connections relayed right now. */
  open(): number;
  /** Bytes relayed since the last cut, both ways (proves the cut landed on connections at work). */
  bytesSinceCut(): number;
  /** Destroys both ends of every open connection; returns how many it cut. New connections are accepted again. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpCutProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpCutProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let bytes = 0;
  const server: Server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host: targetHost });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => (bytes += chunk.length));
    upstream.on('data', (chunk) => (bytes += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    port,
    open: () => pairs.size,
    bytesSinceCut: () => bytes,
    cut() {
      const n = pairs.size;
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      bytes = 0;
      return n;
    },
    async close() {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
