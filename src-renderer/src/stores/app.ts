import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref } from 'vue';
import type { AppInfo } from '../../../src-shared/contract.ts';
import { toStoreError, type StoreError } from '../lib/store-error.ts';
import { storeApi, storeConnection, type ConnectionLike } from './store-deps.ts';

/** The areas of the app, one view each. */
export type ViewName = 'datasets' | 'train' | 'query' | 'batch' | 'runs' | 'run';

/** A notice about something that ended out of sight (a run finished while another view was open). */
export interface Notice {
  id: number;
  kind: 'done' | 'failed' | 'cancelled';
  text: string;
  /** Where the notice's button goes (the run's page), if anywhere. */
  open?: { view: ViewName; runId?: number; label: string };
}

/** Notices kept at once: older ones go when a fifth comes. */
const MAX_NOTICES = 4;

/** The app itself: the view shown, version, transport, catalog, sample folder, compute backend, and image URLs. */
export const useAppStore = defineStore('app', () => {
  const view = ref<ViewName>('datasets');
  const info = ref<AppInfo | null>(null);
  const backendLine = ref<string | null>(null);
  const error = ref<StoreError | null>(null);
  /** The browser's link to the server (null in the desktop app): the UI says so when it drops. */
  const connection = ref<ConnectionLike['state'] | null>(storeConnection()?.state ?? null);
  const wasOpen = ref(connection.value === 'open');
  const stopWatching = storeConnection()?.onStateChange((state) => {
    connection.value = state;
    if (state === 'open') wasOpen.value = true;
  });
  onScopeDispose(() => stopWatching?.());
  /**
   * The server cannot be reached: the link dropped, or is between two reconnection attempts after having been
   * open (the first connect of a page load is not "offline": requests wait for it). Actions are disabled meanwhile.
   */
  const offline = computed(() => connection.value === 'closed' || (connection.value === 'connecting' && wasOpen.value));

  async function loadInfo(): Promise<void> {
    try {
      info.value = await storeApi().app.info();
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  /** Asks once: the backend is chosen once per process and the first answer can take seconds (wasm start-up). */
  async function loadBackend(): Promise<void> {
    if (backendLine.value) return;
    try {
      backendLine.value = (await storeApi().training.backend()).line;
    } catch (e) {
      error.value = toStoreError(e);
    }
  }

  /** Where the page loads a catalog image or its thumbnail from. */
  function mediaUrl(kind: 'thumb' | 'image', imageId: number): string {
    return storeApi().media.url(kind, imageId);
  }

  const notices = ref<Notice[]>([]);
  let noticeId = 0;
  /** Shows a notice until the user dismisses it (no timer: a notice that vanishes unread is no notice). */
  function notify(notice: Omit<Notice, 'id'>): void {
    notices.value = [...notices.value, { ...notice, id: ++noticeId }].slice(-MAX_NOTICES);
  }
  function dismissNotice(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return { view, info, backendLine, error, connection, offline, notices, loadInfo, loadBackend, mediaUrl, notify, dismissNotice };
});
