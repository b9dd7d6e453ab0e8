import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import type { LookalikeApi } from '../../src-shared/api.ts';
import { getApi, getWebConnection } from './api.ts';
import { provideStoreDeps } from './stores/store-deps.ts';

/** Hands the stores their API (whichever transport getApi() found), then mounts the app. */
async function start(): Promise<void> {
  let api: LookalikeApi;
  try {
    // Awaited so a transport that must connect first can hand over a promise.
    api = await Promise.resolve(getApi());
    provideStoreDeps({ api, connection: getWebConnection() });
  } catch (e) {
    const root = document.getElementById('app');
    if (root) root.textContent = `Lookalike cannot reach its services: ${(e as Error).message}`;
    throw e;
  }
  createApp(App).use(createPinia()).mount('#app');
  // The stores listen now: the desktop app delivers the events it held for the page (a no-op in a browser).
  await api.renderer.ready().catch(() => undefined);
}

void start();
