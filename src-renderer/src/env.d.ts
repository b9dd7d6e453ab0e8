/// <reference types="vite/client" />
import type { LookalikeApi } from '../../src-shared/api.ts';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Present in the desktop app (exposed by the preload). */
    lookalike?: LookalikeApi;
  }
}
