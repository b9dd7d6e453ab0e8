/** The part of Electron's `app` the shutdown uses (tests pass a fake). */
export interface QuittableApp {
  on(event: 'before-quit', listener: (e: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

/** The part of `process` the shutdown listens to. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/**
 * Stops the app's jobs before it quits: the first quit (window closed, Cmd-Q, SIGINT, SIGTERM) is held until
 * `dispose` has cancelled every job and waited for it (a training run ends `cancelled`, resumable; an import leaves
 * the catalog unchanged) and `close` has run; then the app quits for real.
 */
export function quitCleanly(app: QuittableApp, signals: SignalSource, dispose: () => Promise<void>, close: () => void): void {
  let state: 'running' | 'stopping' | 'stopped' = 'running';
  app.on('before-quit', (e) => {
    if (state === 'stopped') return;
    e.preventDefault();
    if (state === 'stopping') return;
    state = 'stopping';
    void dispose()
      .catch(() => undefined)
      .finally(() => {
        state = 'stopped';
        close();
        app.quit();
      });
  });
  // Electron's main process does not turn these into a quit by itself: the jobs would be abandoned mid-step.
  signals.once('SIGINT', () => app.quit());
  signals.once('SIGTERM', () => app.quit());
}
