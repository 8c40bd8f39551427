/**
 * The client of an adapter without an SDK, connected once, on first use, so that
 * createAdapter stays synchronous: a failed connection is tried again on the next call; a sandbox
 * account whose sandbox is not running gets a network error; once disposed, every call (and a
 * connection that lands after it) is refused and the client is disposed.
 */
import { CloudError } from '../model/errors';

export class LazyClient<T extends { dispose(): void }> {
  private connecting?: Promise<T>;
  private connected?: T;
  private disposed = false;

  /**
   * @param connect makes the client.
   * @param closed the message of the error once disposed ("This … account was closed").
   * @param sandboxDown true when the account is a sandbox one and its sandbox is not running.
   */
  constructor(
    private readonly connect: () => Promise<T>,
    private readonly closed: string,
    private readonly sandboxDown: boolean,
  ) {}

  get(): Promise<T> {
    if (this.disposed) {
      return Promise.reject(new CloudError('invalid', this.closed));
    }
    if (this.sandboxDown) {
      return Promise.reject(new CloudError('network', 'The sandbox is not running'));
    }
    this.connecting ??= this.connect().then(
      (api) => {
        if (this.disposed) {
          api.dispose();
          throw new CloudError('invalid', this.closed);
        }
        this.connected = api;
        return api;
      },
      (e: unknown) => {
        this.connecting = undefined;
        throw e;
      },
    );
    return this.connecting;
  }

  dispose(): void {
    this.disposed = true;
    this.connected?.dispose();
    this.connected = undefined;
    this.connecting = undefined;
  }
}
