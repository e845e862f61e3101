// A call to a worker from the page's side: a failure becomes a notice on the page.
import { useAppStore as store } from './appStore';

/** Runs a worker call; a failure becomes a notice on the page, never an unhandled rejection. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    store.getState().notify(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
