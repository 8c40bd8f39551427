/**
 * What every backend's `open` does the same way: keep the cloud's state (a reset replaces it, so
 * every reader asks the kit each time), mark it changed, and build the members of `SandboxCloud`
 * and of the in-process control that are about that state. A backend supplies only what its cloud
 * does differently (see `CloudStateParts` and the `parts` of `CloudKit.cloud`).
 */
import type { CloudContext, SandboxCloud } from './backend';

/** What the kit needs of a cloud's state (a `StateKit` with its own `toJSON`). */
export interface KeptState {
  /** Bumped by every change (see `StateKit.revision`). */
  readonly revision: number;
  /** Its member of the state file. */
  toJSON(): unknown;
}

/** How a cloud makes its state, reads it back, and speaks of it. */
export interface CloudStateParts<S> {
  /** A new state, before `seed` or `empty`. */
  create(): S;
  /** Writes the seeded estate into a new state. */
  seed(state: S): void;
  /** Makes a new state an empty account (when a new state is not one already). */
  empty?(state: S): void;
  /** The state read back from its member of the state file (throws when it cannot be read). */
  load(saved: unknown): S;
  /** Its part of `GET /_sandbox/state-summary`. */
  summary(state: S): unknown;
  /** `/_sandbox/<kind>/…`: the answer, or undefined when no endpoint matches; `changed` marks the state changed and passes its value through. */
  controlRoute(state: S, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown;
}

/** What every cloud's in-process control has. */
export interface StateControl<S> {
  /** The whole state (records, block model); replaced by reset(). */
  readonly state: S;
  /** Drops the cloud's state and starts again (seeded unless `seed` is false). */
  reset(seed?: boolean): void;
}

/** The members of `SandboxCloud` a backend writes itself; `listen` and `close` default to no listener of its own. */
export type CloudParts = Omit<SandboxCloud, 'control' | 'revision' | 'toJSON' | 'reset' | 'summary' | 'controlRoute' | 'listen' | 'close'> &
  Partial<Pick<SandboxCloud, 'listen' | 'close'>>;

/** The state of one running cloud and the members built on it. */
export class CloudKit<S extends KeptState> {
  /** The current state: replaced by a reset. */
  state: S;

  /** The state `saved` in the state file, or fresh (seeded unless `seed` is false) when there is none. */
  constructor(
    private readonly context: CloudContext,
    private readonly parts: CloudStateParts<S>,
    saved: unknown,
    seed: boolean,
  ) {
    this.state = saved === undefined ? this.fresh(seed) : parts.load(saved);
  }

  /** Marks the state changed (the state file is saved soon after) and passes `value` through. */
  readonly changed = <T>(value: T): T => {
    this.context.changed();
    return value;
  };

  /** The in-process control: `members`, with `state` (always the current one) and `reset` (which saves soon after). */
  control<C extends StateControl<S>>(members: Omit<C, keyof StateControl<S>>): C {
    const current = (): S => this.state;
    return {
      ...members,
      get state() {
        return current();
      },
      reset: (seeded = true) => {
        this.reset(seeded);
        this.context.replaced();
      },
    } as C;
  }

  /** The running cloud: `control`, the members about the state, and the backend's own `parts`. */
  cloud(control: StateControl<S>, parts: CloudParts): SandboxCloud {
    return {
      control,
      revision: () => this.state.revision,
      toJSON: () => this.state.toJSON(),
      reset: (seeded) => this.reset(seeded),
      summary: () => this.parts.summary(this.state),
      controlRoute: (method, url, input) => this.parts.controlRoute(this.state, method, url, input, this.changed),
      listen: async () => undefined,
      close: async () => undefined,
      ...parts,
    };
  }

  private reset(seeded: boolean): void {
    this.state = this.fresh(seeded);
  }

  /** A fresh state: the seeded estate, or an empty account. */
  private fresh(seeded: boolean): S {
    const state = this.parts.create();
    if (seeded) {
      this.parts.seed(state);
    } else {
      this.parts.empty?.(state);
    }
    return state;
  }
}
