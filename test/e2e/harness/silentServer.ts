// A TCP server that accepts every connection, reads what is sent, and never writes a byte: what a request timeout
// is for (a wrong port, a proxy that holds connections, a stopped process). Used by the client's unit tests and the
// engine's e2e test alike; listens on port 0.

import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface SilentServer {
  endpoint: string;
  /** Connections accepted so far (one per attempt: a timed-out attempt's socket is destroyed). */
  readonly connections: number;
  /** Sockets still open (a request in flight that nobody ended). */
  readonly open: number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on("data", () => undefined);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
