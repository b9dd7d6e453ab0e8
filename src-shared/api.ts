import {
  EVENT_NAMES,
  REQUEST_NAMES,
  unwrap,
  type ArgsOf,
  type EventName,
  type Events,
  type Reply,
  type RequestName,
  type ResultOf,
} from './contract.ts';

type AreaOf<K> = K extends `${infer A}:${string}` ? A : never;
type Area = AreaOf<RequestName>;
type VerbsOf<A extends Area> = {
  [K in RequestName as K extends `${A}:${infer V}` ? V : never]: (args: ArgsOf<K>) => Promise<ResultOf<K>>;
};

/**
 * The API the renderer is given: grouped, typed functions (`api.datasets.list()`), never a raw channel.
 * Built from the contract, so a request added there appears here with its types.
 */
export type LookalikeApi = { [A in Area]: VerbsOf<A> } & {
  media: {
    /** A URL the page can put in <img src> for a catalog image or its thumbnail (custom protocol or HTTP). */
    url(kind: 'thumb' | 'image', imageId: number): string;
  };
  events: {
    /** Subscribes to an event; returns the unsubscribe function. */
    on<K extends EventName>(name: K, listener: (payload: Events[K]) => void): () => void;
  };
};

/** How a transport sends one request and listens to one event. */
export interface Transport {
  invoke(name: RequestName, args: unknown): Promise<Reply<unknown>>;
  subscribe(name: EventName, listener: (payload: unknown) => void): () => void;
  /** Where the transport serves catalog images. */
  mediaUrl(kind: 'thumb' | 'image', imageId: number): string;
}

/** Builds the grouped API over a transport (Electron IPC in the preload, a WebSocket in the browser). */
export function buildApi(transport: Transport): LookalikeApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of REQUEST_NAMES) {
    const [area, verb] = name.split(':');
    (api[area] ??= {})[verb] = async (args: unknown) => unwrap(await transport.invoke(name, args));
  }
  api.media = { url: (kind: 'thumb' | 'image', imageId: number) => transport.mediaUrl(kind, imageId) };
  const events = new Set<string>(EVENT_NAMES);
  api.events = {
    on(name: EventName, listener: (payload: unknown) => void) {
      if (!events.has(name)) throw new Error(`unknown event ${name}`);
      return transport.subscribe(name, listener);
    },
  };
  return api as unknown as LookalikeApi;
}
