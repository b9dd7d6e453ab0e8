import http from 'node:http';
import WebSocket from 'ws';
import type { EventName, Events, Reply } from '../../src-shared/contract.ts';
import type { ServerMessage, WireEvent, WireReply } from '../../src-shared/wire-protocol.ts';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP GET with the path sent exactly as given (no `..` clean-up, unlike fetch) and any Host header.
 */
export function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status with which the server refuses a WebSocket handshake, or 101 when it accepts it. */
export function wsHandshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

/** A test client of the server's WebSocket: sends requests, records every event. */
export class TestClient {
  readonly events: WireEvent[] = [];
  readonly replies: WireReply[] = [];
  private nextId = 1;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as ServerMessage;
      if ('event' in msg) this.events.push(msg);
      else this.replies.push(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(wsUrl: string): Promise<TestClient> {
    const ws = new WebSocket(wsUrl);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestClient(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends one request of the contract and waits for its reply. */
  async request(name: string, args?: unknown): Promise<Reply<unknown>> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, name, args }));
    return (await this.waitFor(() => this.replies.find((r) => r.id === id))).reply;
  }

  /** Sends a frame as is and waits for the next reply. */
  async sendRaw(data: string | Buffer): Promise<WireReply> {
    const before = this.replies.length;
    this.ws.send(data);
    return this.waitFor(() => this.replies[before]);
  }

  /** Waits for an event of this name matching `pred`. */
  event<K extends EventName>(name: K, pred: (p: Events[K]) => boolean = () => true): Promise<Events[K]> {
    return this.waitFor(() => this.events.find((e) => e.event === name && pred(e.payload as Events[K]))?.payload as Events[K] | undefined);
  }

  /** Resolves with the close code when the server closes the connection. */
  closed(): Promise<number> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) resolve(1006);
      else this.ws.once('close', (code) => resolve(code));
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for the server')), timeoutMs);
      const check = () => {
        const found = find();
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else this.waiters.push(check);
      };
      check();
    });
  }
}
