import type { Db } from '../catalog/open-catalog.ts';
import type { ArgsOf, EventName, Events, RequestName, ResultOf } from '../../src-shared/contract.ts';

/** What request handlers get from whichever transport hosts them (Electron main, the local server, tests). */
export interface ServiceContext {
  db: Db;
  catalogPath: string;
  transport: 'electron' | 'web';
  /** Where the sample dataset is (the packaged app keeps it in its resources). */
  samplePath?: string;
  /** Sends an event to the UI (queued by the transport until the UI is ready). */
  emit<K extends EventName>(name: K, payload: Events[K]): void;
  /** A native folder picker where there is one. */
  pickFolder?: () => Promise<string | null>;
  /** A native image-file picker where there is one. */
  pickImage?: () => Promise<string | null>;
  /** The page says it listens (`renderer:ready`): the desktop app delivers the events it queued. */
  onRendererReady?: () => void;
}

/** One function per request of the contract. */
export type Handlers = { [K in RequestName]: (args: ArgsOf<K>) => Promise<ResultOf<K>> | ResultOf<K> };
