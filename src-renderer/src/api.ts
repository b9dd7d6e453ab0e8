import type { LookalikeApi } from '../../src-shared/api.ts';

/** The API the stores use: the preload's in the desktop app. (The browser transport joins with `lookalike serve`.) */
export function getApi(): LookalikeApi {
  if (window.lookalike) return window.lookalike;
  throw new Error('Lookalike API not available: open this page from the desktop app or `lookalike serve`');
}
