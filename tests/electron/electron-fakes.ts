/**
 * Stand-ins for the parts of Electron the main process uses: the Electron binary cannot run on the project's
 * machines, so the adapter's wiring is tested against these. They record what the app asked of them.
 */
type Listener = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

export class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(name: string, listener: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener]);
    return this;
  }
  once(name: string, listener: Listener): this {
    return this.on(name, listener);
  }
  off(): this {
    return this;
  }
  emit(name: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(name) ?? []) l(...args);
  }
}

/** A navigation event: whether the app let it happen. */
export function navigation(url: string): { url: string; prevented: boolean; preventDefault(): void } {
  return {
    url,
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

export class FakeWebContents extends FakeEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
  send(): void {}
  isDestroyed(): boolean {
    return false;
  }
}

export class FakeSession {
  permissionRequest: Listener | undefined;
  permissionCheck: Listener | undefined;
  devicePermission: Listener | undefined;
  readonly webRequest = { onHeadersReceived: () => {} };
  setPermissionRequestHandler(h: Listener): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Listener): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: Listener): void {
    this.devicePermission = h;
  }
}
