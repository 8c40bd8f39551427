/**
 * The JSON shapes the adapter reads from Nova, Cinder, Glance and Neutron: only the members it
 * uses, all optional (a cloud may leave any out), as each service writes them. Every string is
 * untrusted.
 */

/** Nova's server (`/servers/detail`). */
export interface OsServer {
  id: string;
  name?: string;
  status?: string;
  /** `{ id }` for a server booted from an image; '' (or absent) for a boot-from-volume server. */
  image?: { id?: string } | string | null;
  /** Before 2.47 `{ id }`; from 2.47 the flavor itself with `original_name`. */
  flavor?: { id?: string; original_name?: string; vcpus?: number; ram?: number; disk?: number };
  metadata?: Record<string, string>;
  created?: string;
  key_name?: string | null;
  fault?: { message?: string; code?: number };
  'OS-EXT-AZ:availability_zone'?: string;
  'OS-EXT-STS:task_state'?: string | null;
  'OS-EXT-STS:vm_state'?: string;
  'os-extended-volumes:volumes_attached'?: { id: string }[];
}

export interface OsAttachment {
  server_id?: string;
  device?: string;
  attachment_id?: string;
}

/** Cinder's volume (`/volumes/detail`). */
export interface OsVolume {
  id: string;
  name?: string | null;
  description?: string | null;
  status?: string;
  size?: number;
  availability_zone?: string;
  /** "true" / "false" (a string). */
  bootable?: string | boolean;
  encrypted?: boolean;
  volume_type?: string | null;
  snapshot_id?: string | null;
  source_volid?: string | null;
  metadata?: Record<string, string>;
  volume_image_metadata?: Record<string, string>;
  attachments?: OsAttachment[];
  created_at?: string;
}

/** Cinder's volume snapshot (`/snapshots/detail`). */
export interface OsSnapshot {
  id: string;
  name?: string | null;
  description?: string | null;
  status?: string;
  volume_id?: string;
  size?: number;
  metadata?: Record<string, string>;
  created_at?: string;
  'os-extended-snapshot-attributes:progress'?: string;
}

/** Cinder's backup (`/backups/detail`). Cinder shows no parent: see `deriveBackupParents` (map.ts). */
export interface OsBackup {
  id: string;
  name?: string | null;
  description?: string | null;
  status?: string;
  fail_reason?: string | null;
  volume_id?: string;
  snapshot_id?: string | null;
  size?: number;
  object_count?: number;
  availability_zone?: string | null;
  is_incremental?: boolean;
  has_dependent_backups?: boolean;
  data_timestamp?: string;
  created_at?: string;
  /** 3.43+. */
  metadata?: Record<string, string>;
}

/** Glance's image: its own members, and every additional property at the top level (strings). */
export interface OsImage {
  id: string;
  name?: string | null;
  status?: string;
  visibility?: string;
  owner?: string;
  protected?: boolean;
  size?: number | null;
  min_disk?: number;
  disk_format?: string | null;
  container_format?: string | null;
  tags?: string[];
  created_at?: string;
  [property: string]: unknown;
}

export interface OsFlavor {
  id: string;
  name?: string;
  vcpus?: number;
  ram?: number;
  disk?: number;
}

export interface OsNetwork {
  id: string;
  name?: string;
  status?: string;
  shared?: boolean;
  'router:external'?: boolean;
}

export interface OsKeypair {
  keypair?: { name?: string; fingerprint?: string; type?: string };
}

export interface OsVolumeType {
  id: string;
  name?: string;
  description?: string | null;
}

export interface OsAvailabilityZone {
  zoneName?: string;
  zoneState?: { available?: boolean };
}
