/** The part of an IPC event the check reads (Electron's IpcMainEvent / IpcMainInvokeEvent have it). */
export interface IpcSenderLike {
  sender: unknown;
  senderFrame?: { url: string } | null;
}

/** The window whose page may call the services. */
export interface OwnWindowLike {
  isDestroyed(): boolean;
  webContents: unknown;
}

/** Where our page comes from: electron-vite's dev server in development, the app's own scheme otherwise. */
export interface PageOrigin {
  /** The packaged page, on the app's scheme: lookalike-app://app/index.html (served from out/renderer). */
  pageUrl: string;
  /** The dev server's URL, in development only. */
  devUrl?: string;
}

/**
 * Whether an IPC message comes from our own page in our own window: the right webContents, and a frame showing
 * the dev server's URL (in development) or exactly our packaged page — not another file, not a page the window
 * was navigated to, not an iframe from elsewhere.
 */
export function isOwnSender(event: IpcSenderLike, win: OwnWindowLike, page: PageOrigin): boolean {
  if (win.isDestroyed() || event.sender !== win.webContents) return false;
  const url = event.senderFrame?.url ?? '';
  if (page.devUrl) return url.startsWith(page.devUrl);
  return url.split(/[?#]/)[0] === page.pageUrl;
}
