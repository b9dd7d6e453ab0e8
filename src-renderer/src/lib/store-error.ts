/** An error as a store shows it: the code the UI acts on, and a message for people. */
export interface StoreError {
  code: string;
  message: string;
}

/** Turns a thrown value (a RemoteError from the bridge, or anything) into a StoreError, keeping its code. */
export function toStoreError(e: unknown): StoreError {
  const err = e as { code?: unknown; message?: unknown } | null;
  return {
    code: typeof err?.code === 'string' ? err.code : 'INTERNAL',
    message: typeof err?.message === 'string' ? err.message : String(e),
  };
}
