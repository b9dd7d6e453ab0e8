import fs from 'node:fs';
import path from 'node:path';

/** What the sample's location depends on (Electron's `app.isPackaged`, `process.resourcesPath`, `app.getAppPath()`). */
export interface AppLayout {
  isPackaged: boolean;
  /** The installed app's resources folder, where electron-builder's `extraResources` land. */
  resourcesPath: string;
  /** In development, the project folder (the one with package.json), which holds samples/. */
  appPath: string;
}

/**
 * The sample dataset's folder in the desktop app: `resources/samples/brands` once installed (the installer copies
 * it there, build/electron-builder.yml), the project's `samples/brands` in development. Undefined when it is not
 * there, so the UI offers no sample it cannot import.
 */
export function desktopSampleDir(layout: AppLayout, exists: (p: string) => boolean = fs.existsSync): string | undefined {
  const dir = layout.isPackaged ? path.join(layout.resourcesPath, 'samples', 'brands') : path.join(layout.appPath, 'samples', 'brands');
  return exists(dir) ? dir : undefined;
}
