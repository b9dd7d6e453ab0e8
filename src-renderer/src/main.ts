import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { getApi, getWebConnection } from './api.ts';
import { provideStoreDeps } from './stores/store-deps.ts';

/** Hands the stores their API (whichever transport getApi() found), then mounts the app. */
async function start(): Promise<void> {
  try {
    // Awaited so a transport that must connect first can hand over a promise.
    provideStoreDeps({ api: await Promise.resolve(getApi()), connection: getWebConnection() });
  } catch (e) {
    const root = document.getElementById('app');
    if (root) root.textContent = `Lookalike cannot reach its services: ${(e as Error).message}`;
    throw e;
  }
  createApp(App).use(createPinia()).mount('#app');
  window.lookalikeReady?.();
}

void start();
