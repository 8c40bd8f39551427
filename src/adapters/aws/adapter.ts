/**
 * The AWS adapter: ties the clients, inventory, plans, actions and operations together behind
 * the CloudAdapter contract.
 */
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-ec2';
import type { AdapterContext, CloudAdapter, RelatedResources } from '../../model/adapter';
import { CloudError } from '../../model/errors';
import { Limiter } from '../../model/limit';
import { UndecidablePolls } from '../../model/polls';
import type {
  AccountConfig,
  ActionId,
  ActionPlan,
  ActionResult,
  FieldValues,
  InventorySink,
  OperationRecord,
  OperationStatus,
  Resource,
  Scope,
} from '../../model/types';
import type { ChainFacts, ChainLink } from '../../model/chain';
import { executeAction } from './actions';
import { EbsChainFacts } from './chain';
import { Ec2Pool, profileConnection, type Connection, type Ec2Command, type SendOptions } from './clients';
import type { AwsCore } from './core';
import { isAbortError, toCloudError, type ErrorContext } from './errors';
import { listRegion } from './inventory';
import { pollOperation } from './operations';
import { actionsFor, planAction } from './plans';
import { readProfile, type ProfileInfo } from './profiles';
import { sandboxInfo, type SandboxInfo } from './sandbox';
import { listRegions } from './scopes';

const DEFAULT_REGION = 'us-east-1';

export class AwsAdapter implements CloudAdapter, AwsCore {
  readonly cloud = 'aws' as const;
  readonly sandbox?: SandboxInfo;
  readonly polls = new UndecidablePolls();
  private pool?: Promise<Ec2Pool>;
  private readonly limiter: Limiter;
  private readonly profileName?: string;
  private profile?: Promise<ProfileInfo | undefined>;
  private readonly links = new Map<string, Map<string, string | null>>();
  private ebsFacts?: EbsChainFacts;
  /** Set when this is the sandbox account but the sandbox is not running. */
  private readonly unavailable?: CloudError;

  constructor(
    readonly account: AccountConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.profileName = account.settings.profile || undefined;
    if (account.sandbox) {
      this.sandbox = sandboxInfo(ctx.sandbox);
      if (!this.sandbox) {
        this.unavailable = new CloudError('network', 'The sandbox is not running');
      }
    }
    this.limiter = new Limiter(Math.max(1, Math.floor(ctx.maxConcurrency) || 1));
  }

  /** The clients, built on first use (a profile's endpoint_url is read from its config first). */
  private clients(): Promise<Ec2Pool> {
    if (!this.pool) {
      this.pool = (async () => {
        let connection: Connection;
        if (this.sandbox) {
          const { endpoint, accessKeyId, secretAccessKey } = this.sandbox;
          connection = { endpoint, credentials: { accessKeyId, secretAccessKey } };
        } else {
          connection = profileConnection(this.profileName);
          const endpoint = (await this.profileInfo())?.ec2EndpointUrl;
          if (endpoint) {
            connection.endpoint = endpoint;
            this.ctx.log(`AWS profile ${this.profileName}: using the EC2 endpoint ${endpoint} from its config`);
          }
        }
        const maxAttempts = Math.max(1, Math.floor(this.ctx.setting<number>('aws.maxAttempts', 3)));
        return new Ec2Pool(connection, this.limiter, maxAttempts, (l) => this.ctx.log(l));
      })();
    }
    return this.pool;
  }

  // ---- AwsCore ------------------------------------------------------------------------------

  async send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    region: string,
    command: Ec2Command<I, O>,
    opts: SendOptions = {},
  ): Promise<O> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    const pool = await this.clients();
    try {
      return await pool.send(region, command, opts);
    } catch (e) {
      if (isAbortError(e) || opts.signal?.aborted) {
        throw e;
      }
      throw await this.translate(e);
    }
  }

  async translate(e: unknown, attempts?: number): Promise<CloudError> {
    return toCloudError(e, await this.errorContext(), attempts);
  }

  setting<T>(key: string, fallback: T): T {
    return this.ctx.setting<T>(key, fallback);
  }

  log(line: string): void {
    this.ctx.log(line);
  }

  snapshotVolumes(region: string): Map<string, string | null> {
    let m = this.links.get(region);
    if (!m) {
      m = new Map();
      this.links.set(region, m);
    }
    return m;
  }

  retryDelay(attempt: number): number {
    const base = Math.max(0, this.ctx.setting<number>('aws.retryBaseMs', 1000));
    const exp = Math.min(base * 2 ** Math.max(0, attempt - 1), 20_000);
    return Math.round(exp * (0.75 + Math.random() * 0.5));
  }

  // ---- CloudAdapter -------------------------------------------------------------------------

  async listScopes(parent?: Scope): Promise<Scope[]> {
    if (parent) {
      return []; // regions are leaves
    }
    return listRegions(this, await this.homeRegion());
  }

  async listInventory(scope: Scope, sink: InventorySink, signal: AbortSignal): Promise<void> {
    if (this.unavailable) {
      throw this.unavailable;
    }
    return listRegion(this, scope.id, sink, signal);
  }

  actionsFor(resource: Resource): ActionId[] {
    return actionsFor(resource, this.sandbox !== undefined);
  }

  plan(action: ActionId, target: Resource, related: RelatedResources): Promise<ActionPlan> {
    return planAction(this, action, target, related);
  }

  execute(action: ActionId, target: Resource, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
    return executeAction(this, action, target, values, related);
  }

  pollOperation(op: OperationRecord): Promise<OperationStatus> {
    return pollOperation(this, op);
  }

  chainFacts(links: ChainLink[], signal: AbortSignal, progress?: (partial: ChainFacts) => void): Promise<ChainFacts> {
    if (this.unavailable) {
      return Promise.resolve({ snapshots: {}, source: 'EBS direct APIs', unavailable: this.unavailable.message });
    }
    this.ebsFacts ??= new EbsChainFacts(() => this.clients(), (l) => this.ctx.log(l));
    return this.ebsFacts.facts(links, signal, progress);
  }

  dispose(): void {
    void this.pool?.then((p) => p.destroy());
    this.pool = undefined;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** The profile's facts from the shared files, read once. */
  private profileInfo(): Promise<ProfileInfo | undefined> {
    if (!this.profile) {
      this.profile = this.profileName ? readProfile(this.profileName).catch(() => undefined) : Promise.resolve(undefined);
    }
    return this.profile;
  }

  private async errorContext(): Promise<ErrorContext> {
    const info = this.account.sandbox ? undefined : await this.profileInfo();
    return { profile: this.profileName ?? this.account.label, sso: info?.sso ?? false, sandbox: this.account.sandbox === true };
  }

  /** Where DescribeRegions is asked: the sandbox's region, the profile's, or us-east-1. */
  private async homeRegion(): Promise<string> {
    if (this.sandbox) {
      return this.sandbox.region;
    }
    const info = await this.profileInfo();
    return info?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  }
}
