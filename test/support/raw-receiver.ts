// A scripted receiver on 127.0.0.1 over raw node:net: it reads each request (head and
// content-length body) and lets the test answer with any bytes at all, including malformed
// status lines and headers, a reset mid-body or a slowly dripping body.
import { createServer, type Server, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  head: string;
  body: Buffer;
  receivedAt: number;
}

/** Answers one request by writing to (and ending, destroying or resetting) the socket. */
export type RawScript = (socket: Socket, request: RawRequest) => void | Promise<void>;

export interface RawReceiver {
  /** Base URL; append a path routed with `route`. */
  baseUrl: string;
  route(path: string, script: RawScript): string;
  requestsTo(path: string): RawRequest[];
  close(): Promise<void>;
}

export async function startRawReceiver(): Promise<RawReceiver> {
  const scripts = new Map<string, RawScript>();
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      answered = true;
      const [method = '', path = ''] = head.split(' ');
      const request: RawRequest = { method, path, head, body: buffered.subarray(end + 4, end + 4 + length), receivedAt: Date.now() };
      requests.push(request);
      const script = scripts.get(path) ?? ((s: Socket) => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'));
      void Promise.resolve(script(socket, request)).catch(() => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  return {
    baseUrl,
    route(path, script) {
      scripts.set(path, script);
      return baseUrl + path;
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A complete HTTP/1.1 answer that closes the connection afterwards. */
export function rawResponse(status: string, headers: string[], body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = [`HTTP/1.1 ${status}`, ...headers, `content-length: ${bytes.length}`, 'connection: close', '', ''].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}
