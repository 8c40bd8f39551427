import type { ChainFacts, ChainLink } from './chain';
import type { ActionId, MenuTitles } from './actions';
import type {
  AccountConfig,
  ActionPlan,
  ActionResult,
  CloudKind,
  Field,
  FieldValues,
  InventorySink,
  OperationRecord,
  OperationStatus,
  Resource,
  Scope,
} from './types';

/** What the extension gives an adapter. */
export interface AdapterContext {
  /** Writes to the "Snapkeeper" output channel. Never pass secrets. */
  log(message: string): void;
  /** Reads a `snapkeeper.*` setting (e.g. `<cloud>.pageSize`). */
  setting<T>(key: string, fallback: T): T;
  /**
   * Connection details of the running sandbox for this adapter's cloud (its own shape, e.g. an
   * endpoint and keys), present only for sandbox accounts.
   */
  sandbox?: unknown;
  /** Bound on concurrent requests this adapter may have in flight. */
  maxConcurrency: number;
  /**
   * Asks the editor's own sign-in for an access token: the VS Code authentication provider the
   * adapter module declares (`AdapterModule.editorSignIn`); present only for such modules, and
   * absent where there is no editor (benchmarks, plain Node tests). The token is a secret: never
   * log it.
   */
  getToken?(request: TokenRequest): Promise<AccessToken>;
  /**
   * A secret the user typed for this account (the answer to a `secret` field of its
   * `AccountChoice.fields`), read from VS Code's SecretStorage; undefined when none is stored.
   * Present only for a saved account. Never log it or put it in an error message.
   */
  secret?(name: string): Promise<string | undefined>;
  /** Small per-account values kept across reloads (not secrets), e.g. export expiry times. */
  memento?: Memento;
  /**
   * The paths of the open workspace folders, the first one first: what a cloud's config file
   * lookup means by `./` (the editor's process directory is not the user's project). Absent or
   * empty without a workspace.
   */
  workspaceFolders?: string[];
  /**
   * The cloud's time (ms since the epoch), where it is not this machine's: a sandbox account's
   * clock, which its "advance the clock" control moves. A schedule's next run is computed from
   * it. `Date.now()` when absent.
   */
  now?(): number;
}

export interface TokenRequest {
  /** The id of the VS Code authentication provider: the one the adapter module declares. */
  provider: string;
  /** The access the token is for (an API's audience + `/.default`…). */
  scopes: string[];
  /** Directory (tenant) id; the provider's default when absent. */
  tenantId?: string;
  /** True: never show a sign-in prompt; fail with `expired` instead. */
  silent?: boolean;
}

export interface AccessToken {
  token: string;
  /** ms since epoch. */
  expiresOnTimestamp: number;
  /** Who is signed in (shown in the account list), when known. */
  accountLabel?: string;
}

/**
 * An adapter module whose accounts sign in through the editor's own authentication (a VS Code
 * authentication provider): what the extension needs to ask that provider for a session.
 */
export interface EditorSignIn {
  /** The VS Code authentication provider's id (`vscode.authentication.getSession`'s first argument). */
  providerId: string;
  /** The provider's name in messages ("VS Code's <name> sign-in"). */
  providerLabel: string;
  /** The scope strings to ask the provider for: the request's, plus any the provider wants for a directory. */
  scopes(request: Pick<TokenRequest, 'scopes' | 'tenantId'>): string[];
  /** Said after "not available or was cancelled" when the provider is missing or its dialog dismissed: the other way in. */
  otherwise: string;
  /** The message of the `expired` error when the provider has no session. */
  signedOut: string;
}

export interface Memento {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
}

/** A text question of the "Add Account" flow (a URL, a user name, an API secret key…). */
export type TextField = Extract<Field, { kind: 'text' }>;

/** A choice offered by "Add Account" (a profile of the cloud's config files, a sign-in…). */
export interface AccountChoice {
  label: string;
  description?: string;
  detail?: string;
  settings: Record<string, string>;
  /**
   * Asked, in order, once this choice is picked (an endpoint and its API keys; a password that
   * the config file leaves out). The answers to `secret` fields go to VS Code's SecretStorage,
   * for this account only (the adapter reads them with `ctx.secret(id)`), and never to settings,
   * the saved account list or the log; the other answers join `settings`.
   */
  fields?: TextField[];
  /** The account's name in the view when it depends on the (non-secret) answers; `label` otherwise. */
  accountLabel?(settings: Record<string, string>): string;
  /**
   * Ask, right after the account is added, which top-level scopes (subscriptions, projects…) to
   * show; the answer is kept as `settings.scopes` (comma separated ids) and can be changed later.
   */
  chooseScopes?: boolean;
  /** What a top-level scope is called in this cloud, for that question ("subscription"). */
  scopeNoun?: string;
}

/**
 * The contract every cloud adapter implements. All ids are the cloud's own; the adapter keeps
 * whatever it needs to find a resource again (e.g. the region) inside `scopeId`.
 */
export interface CloudAdapter {
  readonly cloud: CloudKind;
  readonly account: AccountConfig;

  /** Child scopes of `parent` (or the top-level ones). Throws CloudError. */
  listScopes(parent?: Scope): Promise<Scope[]>;

  /**
   * Lists everything in a leaf scope, streaming each page to `sink` as it arrives, and resolves
   * when every listing is done. Throws CloudError; honours `signal`.
   */
  listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void>;

  /** The actions `resource` supports right now (drives menus through contextValue). */
  actionsFor(resource: Resource): ActionId[];

  /** What to ask (and whether to refuse or confirm) before running `action` on `target`. */
  plan(action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan>;

  /** Runs the action with the user's answers. Throws CloudError. */
  execute(action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult>;

  /** One poll of a tracked operation. Throws CloudError for transient failures (the tracker retries). */
  pollOperation(op: OperationRecord): Promise<OperationStatus>;

  /**
   * Optional: what each snapshot of a chain really stores, for the snapshot chain panel. Each
   * link names the snapshot it is incremental against (`previous`, none for a chain's first).
   * Answer per snapshot with its own blocks (exact), or its stored bytes (a figure the cloud
   * reports), or `unavailable` with the reason (permissions, archived, not reported…). Never
   * throws for one snapshot's failure; honours `signal`. Adapters without it: the panel says
   * stored bytes are not available for that cloud. A chain of thousands of snapshots takes as
   * many calls on some clouds: `progress`, when given, receives what is known so far (newest
   * snapshots first) so the panel fills in as the answers arrive.
   */
  chainFacts?(links: ChainLink[], signal: AbortSignal, progress?: (partial: ChainFacts) => void): Promise<ChainFacts>;

  /** Frees clients, sockets, timers. */
  dispose(): void;
}

/** What the UI already knows near a target (from the loaded inventory), to avoid extra calls. */
export interface RelatedResources {
  /** Every resource loaded for the target's scope. */
  inventory: { vms: Resource[]; disks: Resource[]; snapshots: Resource[]; images: Resource[]; policies?: Resource[]; restorePoints?: Resource[]; backups?: Resource[] };
  /** All leaf scopes of the account (for copy destinations). */
  scopes: Scope[];
}

/**
 * What each lazily loaded adapter bundle exports: the cloud's module descriptor. The cloud itself
 * is listed in the cloud registry (model/clouds.ts); everything the extension needs to know about
 * its accounts and credentials is declared here.
 */
export interface AdapterModule {
  readonly cloud: CloudKind;
  /** What this cloud calls its places and things, for every question and label the UI shows. */
  readonly nouns: CloudNouns;
  /** What one "Add Account" choice is ("profile", "sign-in", "credential"). */
  readonly accountNoun: string;
  /**
   * Accounts the user can add from where the cloud's own tools keep them: native config files,
   * the environment, a sign-in. Each choice may ask for more (`AccountChoice.fields`).
   */
  discoverAccounts(ctx: Omit<AdapterContext, 'sandbox'>): Promise<AccountChoice[]>;
  /**
   * An account typed in by hand (an endpoint and its keys), offered beside the discovered ones,
   * or alone when none is found. Its `fields` are asked; `secret` answers go to SecretStorage.
   */
  readonly manualAccount?: AccountChoice;
  /**
   * The titles this cloud's tree menus show for actions it names otherwise than the action table
   * ("Roll Back (Rebuild)" for "Revert VM to Restore Point"), from the same constant its plans
   * title their prompts with. package.json has a command for each (test/unit/manifest-actions
   * checks it); the items' contextValues name that command's word (`contextValue`).
   */
  readonly menuTitles?: MenuTitles;
  /** The editor's own sign-in this cloud's accounts may use; `ctx.getToken` asks it. */
  readonly editorSignIn?: EditorSignIn;
  /**
   * Tests a newly added account's credentials at once (one cheap authenticated call or two),
   * throwing a CloudError whose message says what is wrong: the endpoint, the keys, the clock, a
   * certificate. "Add Account" calls it once the answers are saved (secrets in SecretStorage, so
   * `ctx.secret` reads them) and before the account is shown; the user may save it anyway.
   */
  checkAccount?(account: AccountConfig, ctx: AdapterContext): Promise<void>;
  createAdapter(account: AccountConfig, ctx: AdapterContext): CloudAdapter;
}

/**
 * A cloud's own words, so the UI never hard-codes one cloud's ("Which region?" on a cloud of
 * zones). Lower case, singular; the UI makes the plural by adding "s" and capitalises as needed.
 */
export interface CloudNouns {
  /** A top-level scope, the first level under an account: "region", "subscription", "project". */
  readonly topScope: string;
  /** A leaf scope, where resources are listed: "region", "location", "zone". */
  readonly leafScope: string;
  /** An image: "AMI", "image". */
  readonly image: string;
  /** A disk, where the cloud says otherwise ("volume"); "disk" when absent. */
  readonly disk?: string;
  /** A snapshot of one disk, where the cloud says otherwise ("volume snapshot"); "snapshot" when absent. */
  readonly snapshot?: string;
  /** A restore point of a whole VM, where the cloud has them ("VM snapshot"); "restore point" when absent. */
  readonly restorePoint?: string;
  /**
   * One sentence each on what a snapshot, a restore point and a backup are for on this cloud, where users
   * mix them up ("one volume, copied to secondary storage: durable, can become a template…"):
   * shown in tooltips and the chain panel so the two are never mistaken for each other.
   */
  readonly about?: { readonly snapshot?: string; readonly restorePoint?: string; readonly backup?: string };
  /**
   * What the cloud's own snapshot schedules are called ("lifecycle policy", "snapshot schedule",
   * "backup policy", "snapshot policy"); "schedule" when absent.
   */
  readonly policy?: string;
  /**
   * Set when the cloud has no native snapshot scheduler: one sentence saying so, shown wherever
   * protection would be ("n/a: …"). Snapkeeper never fakes one with a timer of its own.
   */
  readonly noScheduler?: string;
}

/** The words used where no adapter module is at hand (a bundle that failed to load). */
export const NEUTRAL_NOUNS: CloudNouns = { topScope: 'scope', leafScope: 'scope', image: 'image' };
