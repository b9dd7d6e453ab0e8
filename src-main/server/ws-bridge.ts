import type { WebSocket } from 'ws';
import type { EventName, Events, Reply } from '../../src-shared/contract.ts';
import { BAD_MESSAGE, parseWireRequest, type WireEvent, type WireReply, type WireRequest } from '../../src-shared/wire-protocol.ts';

/** Runs one request of the contract and answers with its outcome as data (`dispatch` over the handlers). */
export type RunRequest = (name: string, args: unknown) => Promise<Reply<unknown>>;

/** Events kept while no page is connected (a reload, a dropped connection), so a job's outcome is not lost. */
const MAX_QUEUED_EVENTS = 1000;
const HEARTBEAT_MS = 30_000;

/**
 * The contract over WebSockets: each text frame `{ id, name, args }` is dispatched and answered with
 * `{ id, reply }`; events go to every connected page as `{ event, payload }`. A malformed frame (not JSON, no id,
 * binary) is answered with a `BAD_MESSAGE` error, an unknown name with `UNKNOWN_REQUEST`, wrong arguments with
 * `BAD_ARGUMENT` (dispatch), and the connection stays up. A frame over the size cap (the WebSocketServer's
 * `maxPayload`) is refused from its header, before it is buffered: that connection is closed with 1009 "Message Too
 * Big", which the browser's transport turns into a message for the user.
 */
export class WsBridge {
  private readonly clients = new Set<WebSocket>();
  private readonly alive = new WeakSet<WebSocket>();
  private queued: string[] = [];
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly run: RunRequest) {
    // A page that vanished without a close frame (sleep, killed tab) is noticed and dropped.
    this.heartbeat = setInterval(() => {
      for (const ws of this.clients) {
        if (!this.alive.has(ws)) ws.terminate();
        else {
          this.alive.delete(ws);
          ws.ping();
        }
      }
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** How many pages are connected. */
  get size(): number {
    return this.clients.size;
  }

  /** Takes over an upgraded connection. */
  attach(ws: WebSocket): void {
    this.clients.add(ws);
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    ws.on('close', () => this.clients.delete(ws));
    // An oversized frame: ws has already sent the 1009 close frame; terminating now could cut it off.
    ws.on('error', (e: Error & { code?: string }) => {
      if (e.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') ws.terminate();
    });
    ws.on('message', (data, isBinary) => void this.onMessage(ws, isBinary ? null : data.toString()).catch((e) => this.answerFailure(ws, e)));
    for (const text of this.queued.splice(0)) ws.send(text);
  }

  /** Sends an event to every connected page, or keeps it for the next page when none is connected. */
  broadcast = <K extends EventName>(name: K, payload: Events[K]): void => {
    const text = JSON.stringify({ event: name, payload } satisfies WireEvent<K>);
    let sent = false;
    for (const ws of this.clients) {
      if (ws.readyState === ws.OPEN) {
        ws.send(text);
        sent = true;
      }
    }
    if (!sent) {
      this.queued.push(text);
      if (this.queued.length > MAX_QUEUED_EVENTS) this.queued.splice(0, this.queued.length - MAX_QUEUED_EVENTS);
    }
  };

  /** Says goodbye to every page (close code 1001, "going away") and stops the heartbeat. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all(
      [...this.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => (ws.terminate(), resolve()), 500);
            ws.once('close', () => (clearTimeout(timer), resolve()));
            ws.close(1001, 'the Lookalike server is shutting down');
          }),
      ),
    );
    this.clients.clear();
  }

  private async onMessage(ws: WebSocket, text: string | null): Promise<void> {
    const parsed = text === null ? ({ ok: false, id: null, message: 'binary frames are not requests; send JSON text' } as const) : parseWireRequest(text);
    let answer: WireReply;
    if (!parsed.ok) answer = { id: parsed.id, reply: { ok: false, error: { code: BAD_MESSAGE, message: parsed.message } } };
    else answer = await this.answer(parsed.request);
    if (ws.readyState !== ws.OPEN) return;
    let out: string;
    try {
      out = JSON.stringify(answer);
    } catch (e) {
      out = JSON.stringify({ id: answer.id, reply: { ok: false, error: { code: 'INTERNAL', message: `the result cannot be sent as JSON: ${(e as Error).message}` } } });
    }
    ws.send(out);
  }

  /** Last line of defence: whatever went wrong answering a frame is answered, never an unhandled rejection. */
  private answerFailure(ws: WebSocket, e: unknown): void {
    console.error('lookalike serve: could not answer a WebSocket message:', e);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: null, reply: { ok: false, error: { code: 'INTERNAL', message: 'the server could not answer this message' } } } satisfies WireReply));
  }

  private async answer({ id, name, args }: WireRequest): Promise<WireReply> {
    return { id, reply: await this.run(name, args) };
  }
}
