/**
 * The OpenStack sandbox's JSON out: Keystone's token and catalog, Nova's server, flavor and key
 * pair, Cinder's volume, snapshot and backup, Glance's image, Neutron's network, and each
 * service's version document — the member names and formats each service writes.
 */
import type { BackupRecord, ImageRecord, OsState, ProjectRecord, ServerRecord, SnapshotRecord, TokenRecord, VolumeRecord } from './state';
import { CATALOG_SERVICES, dataTimestampOf, MIN_MICROVERSION, uuidFrom, vmState } from './state';

/** Where the services answer: the origin, and the path prefix of each region (the first region has none). */
export interface OsSite {
  origin: string;
  regions: readonly string[];
}

export function regionPrefix(site: OsSite, region: string): string {
  return region === site.regions[0] ? '' : `/${region}`;
}

/** Keystone, Nova and Cinder: ISO 8601 with microseconds and Z; Nova and Cinder's resources drop the fraction. */
export const isoMicro = (time: number) => new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
export const isoSeconds = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Cinder's created_at: `2026-06-01T10:00:00.000000`. */
export const isoCinder = (time: number) => new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000');

// ---- Keystone ------------------------------------------------------------------------------

export function catalog(state: OsState, site: OsSite, projectId: string) {
  return CATALOG_SERVICES.filter((s) => !state.removedServices.includes(s.type)).map((service) => ({
    id: uuidFrom(`service/${service.type}`),
    type: service.type,
    name: service.name,
    endpoints: site.regions.flatMap((region) =>
      (['public', 'internal', 'admin'] as const).map((iface) => ({
        id: uuidFrom(`endpoint/${service.type}/${region}/${iface}`),
        interface: iface,
        region,
        region_id: region,
        url: `${site.origin}${service.type === 'identity' ? '' : regionPrefix(site, region)}${service.path.replace('{project_id}', projectId)}`,
      })),
    ),
  }));
}

export function tokenBody(state: OsState, site: OsSite, token: TokenRecord) {
  const user = state.users.find((u) => u.id === token.userId);
  const project: ProjectRecord = state.project(token.projectId);
  const credential = state.appCredentials.find((c) => c.id === token.appCredentialId);
  return {
    token: {
      methods: token.methods,
      user: { domain: user?.domain, id: token.userId, name: user?.name, password_expires_at: null },
      audit_ids: [uuidFrom(`audit/${token.id}`).replace(/-/g, '').slice(0, 22)],
      expires_at: isoMicro(token.expiresAt),
      issued_at: isoMicro(token.issuedAt),
      project: { domain: project.domain, id: project.id, name: project.name },
      is_domain: false,
      roles: user?.roles ?? [],
      catalog: catalog(state, site, project.id),
      ...(credential ? { application_credential: { id: credential.id, name: credential.name, restricted: true } } : {}),
    },
  };
}

export function identityVersion(site: OsSite) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${site.origin}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

// ---- Nova ----------------------------------------------------------------------------------

export function computeVersion(site: OsSite, region: string, max: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: max,
    min_version: MIN_MICROVERSION.compute,
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${site.origin}${regionPrefix(site, region)}/compute/v2.1/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
  };
}

const link = (href: string) => [
  { rel: 'self', href },
  { rel: 'bookmark', href: href.replace('/v2.1/', '/') },
];

export function serverBody(state: OsState, site: OsSite, server: ServerRecord, minor: number) {
  const base = `${site.origin}${regionPrefix(site, server.region)}/compute/v2.1`;
  const flavor = state.flavors.find((f) => f.id === server.flavorId);
  const network = state.networks.find((n) => n.id === server.networkId);
  const project = state.projects[0];
  const volumes = state.attachedVolumes(server.id);
  const powerState = server.status === 'SHUTOFF' ? 4 : server.status === 'ACTIVE' || server.status === 'REBUILD' ? 1 : 0;
  return {
    id: server.id,
    name: server.name,
    status: server.status,
    tenant_id: project.id,
    user_id: state.users[0]?.id,
    metadata: server.metadata,
    hostId: uuidFrom(`host/${server.region}`).replace(/-/g, ''),
    image: server.imageId === '' ? '' : { id: server.imageId, links: [{ rel: 'bookmark', href: `${base.replace('/v2.1', '')}/images/${server.imageId}` }] },
    flavor:
      minor >= 47
        ? { vcpus: flavor?.vcpus, ram: flavor?.ramMiB, disk: flavor?.diskGiB, ephemeral: 0, swap: 0, original_name: flavor?.name, extra_specs: {} }
        : { id: server.flavorId, links: [{ rel: 'bookmark', href: `${base.replace('/v2.1', '')}/flavors/${server.flavorId}` }] },
    created: isoSeconds(server.createdAt),
    updated: isoSeconds(server.updatedAt),
    addresses: network ? { [network.name]: [{ version: 4, addr: server.address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': 'fa:16:3e:00:00:01' }] } : {},
    accessIPv4: '',
    accessIPv6: '',
    links: link(`${base}/servers/${server.id}`),
    key_name: server.keyName ?? null,
    security_groups: [{ name: 'default' }],
    progress: 0,
    config_drive: '',
    locked: false,
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': server.az,
    'OS-EXT-STS:power_state': powerState,
    'OS-EXT-STS:task_state': server.task ?? null,
    'OS-EXT-STS:vm_state': server.status === 'REBUILD' ? 'active' : vmState(server.status),
    'OS-SRV-USG:launched_at': isoMicro(server.createdAt).replace('Z', ''),
    'OS-SRV-USG:terminated_at': null,
    'os-extended-volumes:volumes_attached': volumes.map((v) => (minor >= 3 ? { id: v.id, delete_on_termination: false } : { id: v.id })),
    ...(server.status === 'ERROR' && server.fault ? { fault: { code: server.fault.code, created: isoSeconds(server.fault.at), message: server.fault.message } } : {}),
    ...(minor >= 19 ? { description: null } : {}),
    ...(minor >= 26 ? { tags: [] } : {}),
  };
}

export function flavorBody(site: OsSite, region: string, flavor: OsState['flavors'][number]) {
  return {
    id: flavor.id,
    name: flavor.name,
    vcpus: flavor.vcpus,
    ram: flavor.ramMiB,
    disk: flavor.diskGiB,
    'OS-FLV-EXT-DATA:ephemeral': 0,
    swap: 0,
    rxtx_factor: 1.0,
    'os-flavor-access:is_public': true,
    links: link(`${site.origin}${regionPrefix(site, region)}/compute/v2.1/flavors/${flavor.id}`),
  };
}

// ---- Cinder --------------------------------------------------------------------------------

export function volumeVersion(site: OsSite, region: string, max: string) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: max,
    min_version: MIN_MICROVERSION.volume,
    updated: '2023-08-31T00:00:00Z',
    links: [{ rel: 'self', href: `${site.origin}${regionPrefix(site, region)}/volume/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

export function volumeBody(state: OsState, site: OsSite, volume: VolumeRecord) {
  const base = `${site.origin}${regionPrefix(site, volume.region)}/volume/v3/${state.projects[0].id}`;
  const attachment = volume.attachment;
  return {
    id: volume.id,
    name: volume.name,
    description: volume.description,
    status: volume.status,
    size: volume.sizeGiB,
    availability_zone: volume.az,
    bootable: String(volume.bootable),
    encrypted: false,
    multiattach: false,
    volume_type: volume.volumeType,
    snapshot_id: volume.sourceSnapshotId ?? null,
    source_volid: null,
    metadata: volume.metadata,
    ...(volume.sourceImageId ? { volume_image_metadata: { image_id: volume.sourceImageId } } : {}),
    attachments: attachment
      ? [
          {
            id: volume.id,
            attachment_id: uuidFrom(`attachment/${volume.id}/${attachment.serverId}`),
            volume_id: volume.id,
            server_id: attachment.serverId,
            host_name: null,
            device: attachment.device,
            attached_at: isoCinder(attachment.attachedAt),
          },
        ]
      : [],
    user_id: state.users[0]?.id,
    'os-vol-tenant-attr:tenant_id': state.projects[0].id,
    replication_status: null,
    consistencygroup_id: null,
    created_at: isoCinder(volume.createdAt),
    updated_at: isoCinder(volume.updatedAt),
    links: link(`${base}/volumes/${volume.id}`),
  };
}

export function snapshotBody(snap: SnapshotRecord) {
  return {
    id: snap.id,
    name: snap.name,
    description: snap.description,
    status: snap.status,
    volume_id: snap.volumeId,
    size: snap.sizeGiB,
    metadata: snap.metadata,
    created_at: isoCinder(snap.createdAt),
    updated_at: isoCinder(snap.updatedAt),
    'os-extended-snapshot-attributes:progress': snap.status === 'available' ? '100%' : '0%',
  };
}

export function backupBody(state: OsState, site: OsSite, backup: BackupRecord, minor: number) {
  const base = `${site.origin}${regionPrefix(site, backup.region)}/volume/v3/${state.projects[0].id}`;
  return {
    id: backup.id,
    name: backup.name,
    description: backup.description,
    status: backup.status,
    fail_reason: backup.status === 'error' ? 'Backup failed.' : null,
    volume_id: backup.volumeId,
    snapshot_id: backup.snapshotId ?? null,
    size: backup.sizeGiB,
    object_count: backup.status === 'available' || backup.status === 'restoring' ? state.backupObjectCount(backup) : 0,
    availability_zone: backup.az,
    container: 'volumebackups',
    is_incremental: backup.incremental,
    has_dependent_backups: state.hasDependentBackups(backup.id),
    data_timestamp: isoCinder(dataTimestampOf(backup)),
    created_at: isoCinder(backup.createdAt),
    updated_at: isoCinder(backup.updatedAt),
    links: link(`${base}/backups/${backup.id}`),
    // Cinder shows no parent: it is the volume's backup with the latest data_timestamp before this one's (see OsState.incrementalParent).
    ...(minor >= 43 ? { metadata: backup.metadata } : {}),
    ...(minor >= 56 ? { user_id: state.users[0]?.id } : {}),
    ...(minor >= 64 ? { encryption_key_id: null } : {}),
  };
}

// ---- Glance --------------------------------------------------------------------------------

export function imageBody(image: ImageRecord) {
  const body: Record<string, unknown> = {
    ...image.properties,
    id: image.id,
    name: image.name,
    status: image.status,
    visibility: image.visibility,
    owner: image.owner,
    protected: image.protected,
    os_hidden: false,
    checksum: image.status === 'active' && image.sizeBytes > 0 ? uuidFrom(`checksum/${image.id}`).replace(/-/g, '') : null,
    size: image.status === 'active' ? image.sizeBytes : null,
    virtual_size: null,
    min_disk: image.minDisk,
    min_ram: image.minRam,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    tags: image.tags,
    created_at: isoSeconds(image.createdAt),
    updated_at: isoSeconds(image.updatedAt),
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
  if (image.blockDeviceMapping) {
    body.block_device_mapping = JSON.stringify(
      image.blockDeviceMapping.map((m) => ({
        source_type: 'snapshot',
        destination_type: 'volume',
        snapshot_id: m.snapshotId,
        volume_size: m.volumeSize,
        boot_index: m.bootIndex,
        device_name: m.deviceName,
        delete_on_termination: false,
        volume_id: null,
        image_id: null,
        no_device: null,
        disk_bus: 'virtio',
        device_type: 'disk',
        guest_format: null,
        tag: null,
        volume_type: null,
      })),
    );
  }
  return body;
}
