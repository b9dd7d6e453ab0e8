import type { Transport } from '../../src-shared/api.ts';
import type { EventName, Reply, RequestName } from '../../src-shared/contract.ts';
// The wire format is declared once, next to the server; that file is plain TypeScript with no Node imports.
import { WS_PATH, type ServerMessage, type WireRequest } from '../../src-shared/wire-protocol.ts';

/** The state of the connection to the local server, for a UI that wants to say "reconnecting…". */
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** How the browser transport reaches the local server. */
export interface WebTransportOptions {
  /** The page's origin, e.g. `http://127.0.0.1:8123`. */
  origin: string;
  /** The access token (from the page URL's `?token=`). */
  token: string;
  /** How long a request may wait for its answer, connecting included (default 60 s). */
  timeoutMs?: number;
  /** Opens a socket; default: the browser's WebSocket (tests pass the `ws` package's). */
  openSocket?: (url: string) => SocketLike;
}

/** The part of the browser's WebSocket the transport uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
}

/** WebSocket.OPEN, spelled out so this file needs no DOM types (its tests run in Node). */
const OPEN = 1;

function browserSocket(url: string): SocketLike {
  return new (globalThis as unknown as { WebSocket: new (url: string) => SocketLike }).WebSocket(url);
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;

interface Pending {
  name: RequestName;
  resolve: (reply: Reply<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
  /** The frame, kept until it is written to an open socket. */
  frame?: string;
}

/**
 * The contract over a WebSocket to the local server (`lookalike serve`). It connects at once so events flow,
 * reconnects with backoff when the connection drops, and answers every request: with the server's reply, or with
 * a `TIMEOUT` / `DISCONNECTED` error as data (so `unwrap` throws a RemoteError the UI can show).
 */
export class WebTransport implements Transport {
  private socket: SocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private retryMs = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  state: ConnectionState = 'connecting';

  constructor(private readonly opts: WebTransportOptions) {
    this.connect();
  }

  invoke(name: RequestName, args: unknown): Promise<Reply<unknown>> {
    const id = this.nextId++;
    const timeoutMs = this.opts.timeoutMs ?? 60_000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        const where = this.state === 'open' ? 'the server did not answer' : 'the server could not be reached';
        const after = timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`;
        resolve(failure('TIMEOUT', `${name} timed out after ${after}: ${where} (is \`lookalike serve\` still running?)`));
      }, timeoutMs);
      const frame = JSON.stringify({ id, name, args } satisfies WireRequest);
      this.pending.set(id, { name, resolve, timer, frame });
      this.flush();
    });
  }

  subscribe(name: EventName, listener: (payload: unknown) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  mediaUrl(kind: 'thumb' | 'image', imageId: number): string {
    return `/media/${kind}/${Number(imageId)}?token=${encodeURIComponent(this.opts.token)}`;
  }

  /** Calls `listener` whenever the connection opens or drops; returns the unsubscribe function. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes the connection for good; pending requests are answered with DISCONNECTED. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.failInFlight('the connection was closed');
  }

  private connect(): void {
    const url = `${this.opts.origin.replace(/^http/, 'ws')}${WS_PATH}?token=${encodeURIComponent(this.opts.token)}`;
    this.setState('connecting');
    const ws = (this.opts.openSocket ?? browserSocket)(url);
    this.socket = ws;
    ws.onopen = () => {
      this.retryMs = RETRY_MIN_MS;
      this.setState('open');
      this.flush();
    };
    ws.onmessage = (e) => this.onMessage(e.data);
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      // Requests already sent will never be answered on a new connection; those not yet sent wait for it.
      // 1009 "Message Too Big": the server refused a frame over its size cap (an image upload too large).
      const tooBig = (event as { code?: unknown } | null)?.code === 1009;
      this.failInFlight(tooBig ? 'the request was larger than the server accepts (is the image over 48 MB?)' : 'the connection to the server dropped before it answered');
      this.setState('closed');
      if (!this.closed) {
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      }
    };
  }

  private flush(): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== OPEN) return;
    for (const p of this.pending.values()) {
      if (p.frame === undefined) continue;
      ws.send(p.frame);
      p.frame = undefined;
    }
  }

  private onMessage(data: unknown): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(String(data)) as ServerMessage;
    } catch {
      console.error('lookalike: unreadable message from the server', data);
      return;
    }
    if ('event' in msg) {
      for (const listener of [...(this.listeners.get(msg.event) ?? [])]) {
        try {
          listener(msg.payload);
        } catch (e) {
          console.error(`lookalike: a listener of ${msg.event} failed`, e);
        }
      }
      return;
    }
    const p = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!p) return; // answered already (timed out) or not ours
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    p.resolve(msg.reply);
  }

  private failInFlight(message: string): void {
    for (const [id, p] of this.pending) {
      if (p.frame !== undefined && !this.closed) continue;
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.resolve(failure('DISCONNECTED', `${p.name}: ${message}`));
    }
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

function failure(code: string, message: string): Reply<unknown> {
  return { ok: false, error: { code, message } };
}

/** The access token of this page (`?token=` in its address), or null. */
export function tokenFromLocation(location: { search: string }): string | null {
  return new URLSearchParams(location.search).get('token');
}
