/**
 * The OpenStack sandbox's records, identity (Keystone users, application credentials, tokens, the
 * catalog's removed services), lookups, and the sweep that applies status steps once the sandbox
 * clock has passed them (wire-neutral). The resources' own operations are in state.ts.
 */
import { randomBytes } from 'node:crypto';
import { BlockStore } from '../blocks';
import { StateKit } from '../state-kit';
import { badRequest, notFound, OsError, unauthorized } from './errors';
import {
  type AppCredentialRecord,
  type BackupRecord,
  DEFAULT_OS_TIMING,
  type FlavorRecord,
  type ImageRecord,
  type KeypairRecord,
  type NetworkRecord,
  type OsTiming,
  type ProjectRecord,
  type ServerRecord,
  type SnapshotRecord,
  type TokenRecord,
  type UserRecord,
  uuidFrom,
  type VolumeRecord,
} from './records';

export interface OsStateOptions {
  timing?: Partial<OsTiming>;
  now?: () => number;
}

/** Keystone's default token lifetime (`[token] expiration`, one hour). */
export const DEFAULT_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

/** The services of the catalog, by type, and the path each is served under. */
export const CATALOG_SERVICES = [
  { type: 'identity', name: 'keystone', path: '/identity' },
  { type: 'compute', name: 'nova', path: '/compute/v2.1' },
  { type: 'volumev3', name: 'cinderv3', path: '/volume/v3/{project_id}' },
  { type: 'block-storage', name: 'cinder', path: '/volume/v3/{project_id}' },
  { type: 'image', name: 'glance', path: '/image' },
  { type: 'network', name: 'neutron', path: '/networking' },
] as const;

/** The highest microversion each service offers (Nova 2024.1 "Caracal": 2.96; Cinder: 3.71). */
export const MAX_MICROVERSION = { compute: '2.96', volume: '3.71' } as const;
export const MIN_MICROVERSION = { compute: '2.1', volume: '3.0' } as const;

/** The password and application-credential auth of `POST /v3/auth/tokens`, parsed. */
export interface AuthRequest {
  methods: string[];
  password?: { userId?: string; userName?: string; domainId?: string; domainName?: string; password?: string };
  appCredential?: { id?: string; name?: string; secret?: string; userId?: string; userName?: string; domainId?: string; domainName?: string };
  /** Project scope. */
  scope?: { projectId?: string; projectName?: string; domainId?: string; domainName?: string };
}

export abstract class OsStore extends StateKit {
  readonly timing: OsTiming;
  readonly blocks: BlockStore;
  regions: string[] = [];
  projects: ProjectRecord[] = [];
  users: UserRecord[] = [];
  appCredentials: AppCredentialRecord[] = [];
  flavors: FlavorRecord[] = [];
  networks: NetworkRecord[] = [];
  keypairs: KeypairRecord[] = [];
  readonly tokens = new Map<string, TokenRecord>();
  readonly servers = new Map<string, ServerRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly backups = new Map<string, BackupRecord>();
  readonly images = new Map<string, ImageRecord>();
  /** Lifetime of the tokens issued from now on (the token-expiry control). */
  tokenLifetimeMs = DEFAULT_TOKEN_LIFETIME_MS;
  /** Service types left out of the catalog (a catalog without Cinder). */
  removedServices: string[] = [];
  /** The highest microversion each service accepts (lowered by a control). */
  maxMicroversion: { compute: string; volume: string } = { ...MAX_MICROVERSION };
  /** The next image a server snapshot or a volume upload makes ends `killed`. */
  killNextImage = false;
  /** The next rebuild ends with the server in ERROR. */
  failNextRebuild = false;
  /** Delay (ms) before each Nova, Cinder, Glance and Neutron request of a region, besides the faults' latency. */
  regionLatencyMs: Record<string, number> = {};

  constructor(options: OsStateOptions = {}, blocks = new BlockStore()) {
    super(options.now);
    this.timing = { ...DEFAULT_OS_TIMING, ...options.timing };
    this.blocks = blocks;
  }

  /** A new UUID (random; seeded records use `uuidFrom`). */
  newId(): string {
    return uuidFrom(`${this.seq()}/${randomBytes(8).toString('hex')}`);
  }

  // ---- identity -----------------------------------------------------------------------------

  /** Checks a password or application-credential auth and issues a token (Keystone's 401 for anything wrong). */
  issueToken(auth: AuthRequest): TokenRecord {
    let user: UserRecord | undefined;
    let project: ProjectRecord | undefined;
    let appCredentialId: string | undefined;
    const method = auth.methods[0];
    if (auth.methods.length !== 1 || (method !== 'password' && method !== 'application_credential')) {
      throw unauthorized();
    }
    if (method === 'password') {
      const p = auth.password;
      if (!p || p.password === undefined) {
        throw badRequest("Invalid input for field 'identity/password/user': 'password' is a required property");
      }
      user = this.findUser(p.userId, p.userName, p.domainId, p.domainName);
      if (!user || user.password !== p.password) {
        throw unauthorized();
      }
      const scope = auth.scope;
      if (scope) {
        project = this.projects.find(
          (pr) =>
            (scope.projectId !== undefined ? pr.id === scope.projectId : pr.name === scope.projectName) &&
            (scope.projectId !== undefined || pr.domain.id === scope.domainId || pr.domain.name === scope.domainName),
        );
        if (!project) {
          throw unauthorized();
        }
      }
    } else {
      const a = auth.appCredential;
      if (!a?.secret) {
        throw badRequest("Invalid input for field 'identity/application_credential': 'secret' is a required property");
      }
      if (auth.scope) {
        throw unauthorized();
      }
      const owner = a.id === undefined ? this.findUser(a.userId, a.userName, a.domainId, a.domainName) : undefined;
      const credential = this.appCredentials.find((c) => (a.id !== undefined ? c.id === a.id : c.name === a.name && c.userId === owner?.id));
      if (!credential || credential.secret !== a.secret) {
        throw unauthorized();
      }
      user = this.users.find((u) => u.id === credential.userId);
      project = this.projects.find((pr) => pr.id === credential.projectId);
      appCredentialId = credential.id;
    }
    if (!user) {
      throw unauthorized();
    }
    if (!project) {
      // An unscoped token is of no use to the services here; Keystone would issue one without a catalog.
      project = this.projects[0];
    }
    const now = this.now();
    // Tokens long expired are forgotten (Keystone's fernet tokens are never stored; these are, for validation).
    for (const [id, old] of this.tokens) {
      if (old.expiresAt < now - DEFAULT_TOKEN_LIFETIME_MS) {
        this.tokens.delete(id);
      }
    }
    const token: TokenRecord = {
      id: `gAAAAA${randomBytes(48).toString('base64url')}`,
      userId: user.id,
      projectId: project.id,
      methods: [method],
      issuedAt: now,
      expiresAt: now + this.tokenLifetimeMs,
      appCredentialId,
    };
    this.tokens.set(token.id, token);
    this.touch();
    return token;
  }

  private findUser(id: string | undefined, name: string | undefined, domainId: string | undefined, domainName: string | undefined): UserRecord | undefined {
    if (id !== undefined) {
      return this.users.find((u) => u.id === id);
    }
    return this.users.find((u) => u.name === name && (u.domain.id === domainId || u.domain.name === domainName));
  }

  /** The token if it exists and has not expired. */
  validToken(id: string | undefined): TokenRecord | undefined {
    const token = id === undefined ? undefined : this.tokens.get(id);
    return token && token.expiresAt > this.now() ? token : undefined;
  }

  /** Ends every token issued so far (token expiry mid-operation). */
  expireTokens(): number {
    const now = this.now();
    for (const token of this.tokens.values()) {
      token.expiresAt = Math.min(token.expiresAt, now);
    }
    this.touch();
    return this.tokens.size;
  }

  project(id: string): ProjectRecord {
    const project = this.projects.find((p) => p.id === id);
    if (!project) {
      throw new OsError(404, `Could not find project: ${id}.`);
    }
    return project;
  }

  // ---- lookups ------------------------------------------------------------------------------

  server(id: string, region: string): ServerRecord {
    const server = this.servers.get(id);
    if (!server || server.region !== region) {
      throw notFound(`Instance ${id} could not be found.`);
    }
    return server;
  }

  volume(id: string, region: string): VolumeRecord {
    const volume = this.volumes.get(id);
    if (!volume || volume.region !== region) {
      throw notFound(`Volume ${id} could not be found.`);
    }
    return volume;
  }

  snapshot(id: string, region: string): SnapshotRecord {
    const snap = this.snapshots.get(id);
    if (!snap || snap.region !== region) {
      throw notFound(`Snapshot ${id} could not be found.`);
    }
    return snap;
  }

  backup(id: string, region: string): BackupRecord {
    const backup = this.backups.get(id);
    if (!backup || backup.region !== region) {
      throw notFound(`Backup ${id} could not be found.`);
    }
    return backup;
  }

  /** Glance's 404 (or Nova's, when Nova looks the image up). */
  image(id: string, region: string, nova = false): ImageRecord {
    const image = this.images.get(id);
    if (!image || image.region !== region) {
      throw notFound(nova ? `Image ${id} could not be found.` : `No image found with ID ${id}`);
    }
    return image;
  }

  flavor(id: string): FlavorRecord {
    const flavor = this.flavors.find((f) => f.id === id || f.name === id);
    if (!flavor) {
      throw notFound(`Flavor ${id} could not be found.`);
    }
    return flavor;
  }

  // ---- the clock ----------------------------------------------------------------------------

  /** Applies every status step whose time has come. */
  sweep(): void {
    const now = this.now();
    let moved = false;
    const settle = <R extends { status: string; pending?: { status: string; at: number }; updatedAt: number }>(record: R, after?: (r: R) => void) => {
      if (record.pending && record.pending.at <= now) {
        record.status = record.pending.status;
        record.updatedAt = record.pending.at;
        record.pending = undefined;
        after?.(record);
        moved = true;
      }
    };
    // Images first: a server's image_snapshot task ends with its image's upload.
    for (const image of this.images.values()) {
      while (image.steps.length > 0 && image.steps[0].at <= now) {
        const step = image.steps.shift();
        if (step) {
          image.status = step.status;
          image.updatedAt = step.at;
          moved = true;
        }
      }
    }
    for (const server of this.servers.values()) {
      settle(server, (s) => {
        s.task = undefined;
      });
      if (server.task === 'image_snapshot' && !server.pending && ![...this.images.values()].some((i) => i.instanceUuid === server.id && i.steps.length > 0)) {
        server.task = undefined;
        moved = true;
      }
    }
    for (const volume of this.volumes.values()) {
      settle(volume);
    }
    for (const snap of this.snapshots.values()) {
      settle(snap);
    }
    for (const backup of this.backups.values()) {
      settle(backup, (b) => {
        b.restoringVolumeId = undefined;
      });
    }
    if (moved) {
      this.touch();
    }
  }
}
