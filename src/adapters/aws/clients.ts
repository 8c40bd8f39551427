/**
 * EC2 clients, one per region and retry mode, created on first use and cached. Every request
 * goes through the adapter's one Limiter and a logging middleware that writes
 * `EC2 us-east-1 DescribeSnapshots 200 123ms` (never credentials or headers) to the output.
 */
import { EBSClient, type EBSClientConfig } from '@aws-sdk/client-ebs';
import { EC2Client, type EC2ClientConfig, type EC2ClientResolvedConfig, type ServiceInputTypes, type ServiceOutputTypes } from '@aws-sdk/client-ec2';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Command } from '@smithy/types';
import type { Limiter } from '../../model/limit';

/** How the adapter reaches AWS: the SDK's credential chain for a profile, or the sandbox. */
export interface Connection {
  /** The sandbox endpoint (http://127.0.0.1:PORT); undefined for real AWS. */
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The profile whose non-credential settings (endpoint_url, FIPS…) the SDK should honour. */
  profile?: string;
}

/** `read` clients use the SDK's standard retries; `create` clients try once (the adapter retries). */
export type ClientMode = 'read' | 'create';

export interface SendOptions {
  signal?: AbortSignal;
  /** Default `read`. */
  mode?: ClientMode;
}

/** An EC2 command with its input and output types. */
export type Ec2Command<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  EC2ClientResolvedConfig
>;

/** The credentials of a real profile: the SDK's own chain (SSO, process, env, ini…). */
export function profileConnection(profile: string | undefined): Connection {
  return { credentials: fromNodeProviderChain(profile ? { profile } : {}), profile };
}

interface MetadataLike {
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

function meta(x: unknown): MetadataLike['$metadata'] {
  return typeof x === 'object' && x !== null ? (x as MetadataLike).$metadata : undefined;
}

/** A short code for a failed call's log line: the AWS error code, socket code or error name. */
function logCode(e: unknown): string {
  if (typeof e !== 'object' || e === null) {
    return 'Error';
  }
  const err = e as { name?: string; code?: string; Code?: string; message?: string };
  if (err.Code) {
    return err.Code;
  }
  if (err.code) {
    return err.code;
  }
  if (/Deserialization error|XML parse error/i.test(err.message ?? '')) {
    return 'MalformedResponse';
  }
  return err.name ?? 'Error';
}

export class Ec2Pool {
  private readonly clients = new Map<string, EC2Client>();
  private readonly ebsClients = new Map<string, EBSClient>();

  constructor(
    private readonly connection: Connection,
    private readonly limiter: Limiter,
    private readonly maxAttempts: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The cached client of `region` for `mode`. */
  client(region: string, mode: ClientMode = 'read'): EC2Client {
    const key = `${mode}:${region}`;
    let client = this.clients.get(key);
    if (!client) {
      const config: EC2ClientConfig = {
        region,
        credentials: this.connection.credentials,
        maxAttempts: mode === 'create' ? 1 : this.maxAttempts,
        retryMode: 'standard',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      };
      if (this.connection.endpoint) {
        config.endpoint = this.connection.endpoint;
      }
      if (this.connection.profile) {
        config.profile = this.connection.profile;
      }
      client = new EC2Client(config);
      // The SDK's own logger middleware runs its sensitive-data filter over every response even
      // with no logger set (about an eighth of the CPU of a big listing); ours replaces it.
      client.middlewareStack.remove('loggerMiddleware');
      this.addLogging(client, region);
      this.clients.set(key, client);
    }
    return client;
  }

  /** Sends one command in `region` through the shared limiter. Errors are the SDK's own. */
  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
    region: string,
    command: Ec2Command<I, O>,
    opts: SendOptions = {},
  ): Promise<O> {
    const client = this.client(region, opts.mode ?? 'read');
    return this.limiter.run(() => client.send(command, opts.signal ? { abortSignal: opts.signal } : {}));
  }

  /**
   * The cached EBS direct APIs client of `region` (ListSnapshotBlocks, ListChangedBlocks), with
   * the same connection, retries and call log as EC2. Send through `sendEbs` (the limiter).
   */
  ebs(region: string): EBSClient {
    let client = this.ebsClients.get(region);
    if (!client) {
      const config: EBSClientConfig = {
        region,
        credentials: this.connection.credentials,
        maxAttempts: this.maxAttempts,
        retryMode: 'standard',
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
      };
      if (this.connection.endpoint) {
        config.endpoint = this.connection.endpoint;
      }
      if (this.connection.profile) {
        config.profile = this.connection.profile;
      }
      client = new EBSClient(config);
      client.middlewareStack.remove('loggerMiddleware');
      this.addLogging(client, region, 'EBS');
      this.ebsClients.set(region, client);
    }
    return client;
  }

  /** Runs one EBS call (given the region's client) through the shared limiter. */
  sendEbs<T>(region: string, call: (client: EBSClient) => Promise<T>): Promise<T> {
    const client = this.ebs(region);
    return this.limiter.run(() => call(client));
  }

  /** Destroys every client (closes sockets). */
  destroy(): void {
    for (const c of [...this.clients.values(), ...this.ebsClients.values()]) {
      c.destroy();
    }
    this.clients.clear();
    this.ebsClients.clear();
  }

  /** Logs each call once, after the SDK's retries: status (or error code), time and attempts. */
  private addLogging(client: EC2Client | EBSClient, region: string, service = 'EC2'): void {
    const log = this.log;
    (client.middlewareStack as EC2Client['middlewareStack']).add(
      (next, context) => async (args) => {
        const op = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        const started = Date.now();
        const tail = (m: MetadataLike['$metadata']): string =>
          `${Date.now() - started}ms${m?.attempts && m.attempts > 1 ? ` (${m.attempts} attempts)` : ''}`;
        try {
          const out = await next(args);
          const m = meta(out.output);
          log(`${service} ${region} ${op} ${m?.httpStatusCode ?? '-'} ${tail(m)}`);
          return out;
        } catch (e) {
          const m = meta(e);
          log(`${service} ${region} ${op} ${m?.httpStatusCode ?? '-'} ${logCode(e)} ${tail(m)}`);
          throw e;
        }
      },
      { step: 'initialize', name: 'snapkeeperCallLog', override: true },
    );
  }
}
