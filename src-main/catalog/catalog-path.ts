import os from 'node:os';
import path from 'node:path';

/** File name of the catalog inside a Lookalike home folder. */
export const CATALOG_FILE = 'catalog.sqlite';

/**
 * The per-user data folder. The desktop app and the CLI both use this one function, so a dataset imported from
 * the terminal is there when the app opens (Electron's own `userData` would put it under ~/.config on Linux).
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LOOKALIKE_HOME) return path.resolve(env.LOOKALIKE_HOME);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lookalike');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Lookalike');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'lookalike');
}

/** Where the catalog lives: an explicit `--db FILE` wins, then `$LOOKALIKE_HOME/catalog.sqlite`, then the per-user folder. */
export function resolveCatalogPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  return path.join(defaultHome(env), CATALOG_FILE);
}

/**
 * The folder Lookalike owns beside a catalog (`catalog.sqlite.d/`): everything it generates for that catalog
 * (look-alike images, downloaded weights, the demo's report) goes under it, never loose into whatever folder
 * holds the catalog, which may be the user's own.
 */
export function catalogDataDir(catalogPath: string): string {
  return `${path.resolve(catalogPath)}.d`;
}
