/** localStorage, or nothing where the browser refuses it (private modes, storage off). */
export function localStore(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
