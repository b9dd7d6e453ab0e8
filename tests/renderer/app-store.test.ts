import { describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { provideStoreDeps, type ConnectionLike } from '../../src-renderer/src/stores/store-deps.ts';
import { useAppStore } from '../../src-renderer/src/stores/app.ts';
import { fakeApi, fakeFrames } from './fake-api.ts';

describe('app store', () => {
  it('follows the browser connection, so the page can say when the server is gone', () => {
    const listeners = new Set<(s: ConnectionLike['state']) => void>();
    const connection: ConnectionLike = {
      state: 'open',
      onStateChange: (l) => (listeners.add(l), () => listeners.delete(l)),
    };
    provideStoreDeps({ api: fakeApi().api, scheduleFrame: fakeFrames().schedule, connection });
    setActivePinia(createPinia());
    const app = useAppStore();
    expect(app.connection).toBe('open');
    listeners.forEach((l) => l('closed'));
    expect(app.connection).toBe('closed');
    expect(app.offline).toBe(true);
    // Between two reconnection attempts it is still offline; back open, actions come back.
    listeners.forEach((l) => l('connecting'));
    expect(app.offline).toBe(true);
    listeners.forEach((l) => l('open'));
    expect(app.offline).toBe(false);
    app.$dispose();
    expect(listeners.size).toBe(0);
  });

  it('is not offline while a page load makes its first connection', () => {
    const connection: ConnectionLike = { state: 'connecting', onStateChange: () => () => {} };
    provideStoreDeps({ api: fakeApi().api, scheduleFrame: fakeFrames().schedule, connection });
    setActivePinia(createPinia());
    expect(useAppStore().offline).toBe(false);
  });

  it('asks for the backend line once and keeps it', async () => {
    let asked = 0;
    const fake = fakeApi({ 'training:backend': () => (asked++, { line: 'backend: wasm (cpu)' }) });
    provideStoreDeps({ api: fake.api, scheduleFrame: fakeFrames().schedule });
    setActivePinia(createPinia());
    const app = useAppStore();
    await app.loadBackend();
    await app.loadBackend();
    expect(app.backendLine).toBe('backend: wasm (cpu)');
    expect(asked).toBe(1);
    expect(app.connection).toBeNull();
  });
});
