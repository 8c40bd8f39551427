import { isCloudError } from '../model/errors';

/**
 * A lookup that decides whether a lost request was performed: tried a few times, with a growing
 * pause (it only reads), since giving up on it turns a change the cloud made into a reported
 * failure. An auth or invalid error is final at once.
 */
export async function persistently<T>(lookup: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await lookup();
    } catch (e) {
      if (i >= attempts || (isCloudError(e) && (e.kind === 'auth' || e.kind === 'invalid'))) {
        throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** (i - 1)));
    }
  }
}
