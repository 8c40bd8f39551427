/**
 * Running the actions (`execute`): each returns the operations to track, or a message when it
 * finished at once. Creates go through createWithToken (a client-token tag looked up before a
 * create is sent again; CreateVolume also passes that token as its API ClientToken);
 * CreateReplaceRootVolumeTask (ClientToken) and DeleteSnapshot are repeated as they are after an
 * ambiguous failure (sendRepeatable), and a delete that finds the snapshot gone succeeded.
 */
import { bool, num, requiredText, text } from '../../model/answers';
import { randomUUID } from 'node:crypto';
import {
  CopySnapshotCommand,
  CreateImageCommand,
  CreateReplaceRootVolumeTaskCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  RegisterImageCommand,
  type ArchitectureValues,
  type Tag as Ec2Tag,
  type VolumeType,
} from '@aws-sdk/client-ec2';
import type { RelatedResources } from '../../model/adapter';
import { CloudError, isCloudError } from '../../model/errors';
import type { ActionId } from '../../model/actions';
import type {
  ActionResult,
  Disk,
  FieldValues,
  Image,
  OperationStart,
  Resource,
  Snapshot,
  Tag,
  Vm,
} from '../../model/types';
import type { AwsCore } from './core';
import { CLIENT_TOKEN_TAG, createWithToken, newClientToken, sendRepeatable, tokenFilter } from './create';
import { isAmbiguous } from './errors';
import { COPIED_FROM_TAG, label } from './map';
import { AMI_NAME_PATTERN, imagesUsingSnapshot, inUseByImagesMessage, iopsProblem, mayRun, PERFORMANCE, VOLUME_TYPES } from './plans';
import { rootInstancesOf } from './related';
import { simulateWrites } from './sandbox';
import { inheritableTags, mergeTags, tagDiff, tagSpec, tagsValue, toEc2Tags } from './tags';

// ---------------------------------------------------------------------------------------------
// Reading the answers
// ---------------------------------------------------------------------------------------------





function amiName(values: FieldValues): string {
  const name = requiredText(values, 'name');
  if (!new RegExp(`^(?:${AMI_NAME_PATTERN.source})$`).test(name)) {
    throw new CloudError('invalid', `AMI name "${name}": ${AMI_NAME_PATTERN.message}`);
  }
  return name;
}

/** True when an EC2 object's tags carry our client token (guards against endpoints ignoring filters). */
function hasToken(tags: Ec2Tag[] | undefined, token: string): boolean {
  return (tags ?? []).some((t) => t.Key === CLIENT_TOKEN_TAG && t.Value === token);
}

function op(kind: string, title: string, scopeId: string, resourceId: string, refresh: string[], revealId?: string): OperationStart {
  const start: OperationStart = { kind, title, scopeId, resourceId, refreshScopeIds: [...new Set(refresh)] };
  if (revealId) {
    start.revealId = revealId;
  }
  return start;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Token-tagged lookups used to adopt an earlier attempt's result
// ---------------------------------------------------------------------------------------------

async function snapshotsWithToken(core: AwsCore, region: string, token: string): Promise<{ SnapshotId?: string; VolumeId?: string }[]> {
  const out = await core.send(region, new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [tokenFilter(token)] }));
  return (out.Snapshots ?? []).filter((s) => hasToken(s.Tags, token));
}

async function imageWithToken(core: AwsCore, region: string, token: string): Promise<string | undefined> {
  const out = await core.send(region, new DescribeImagesCommand({ Owners: ['self'], Filters: [tokenFilter(token)] }));
  return (out.Images ?? []).find((i) => hasToken(i.Tags, token))?.ImageId;
}

// ---------------------------------------------------------------------------------------------
// The actions
// ---------------------------------------------------------------------------------------------

export async function executeAction(
  core: AwsCore,
  action: ActionId,
  target: Resource,
  values: FieldValues,
  related: RelatedResources,
): Promise<ActionResult> {
  if (!mayRun(action, target, core.sandbox !== undefined)) {
    throw new CloudError('invalid', `${action} is not available for ${label(target)} (${target.kind}, ${target.state})`);
  }
  switch (action) {
    case 'createSnapshot':
      return createSnapshot(core, target as Disk, values);
    case 'snapshotVm':
      return snapshotVm(core, target as Vm, values);
    case 'createImageFromVm':
      return createImageFromVm(core, target as Vm, values);
    case 'restoreToNewDisk':
      return restoreToNewDisk(core, target as Snapshot, values);
    case 'restoreInPlace':
      return restoreInPlace(core, target as Snapshot, values, related);
    case 'createImageFromSnapshot':
      return createImageFromSnapshot(core, target as Snapshot, values);
    case 'copySnapshot':
      return copySnapshot(core, target as Snapshot, values);
    case 'editTags':
      return editTags(core, target, values);
    case 'deleteSnapshot':
      return deleteSnapshot(core, target as Snapshot);
    case 'deleteImage':
      return deleteImage(core, target as Image, values);
    case 'simulateWrites':
      return simulate(core, target as Disk, values);
    case 'createImageFromDisk':
      // Never offered by actionsFor: an AMI is made from an instance or a snapshot.
      throw new CloudError('invalid', `${action} is not available for AWS volumes; snapshot the volume, then Create Image from Snapshot`);
    case 'createRestorePoint':
    case 'revertToRestorePoint':
    case 'snapshotFromRestorePoint':
    case 'deleteRestorePoint':
      // Never offered by actionsFor: EC2 has no VM restore points.
      throw new CloudError('invalid', `${action} is not available on AWS: EC2 has no VM restore points`);
    case 'launchCopy':
    case 'createBackup':
    case 'restoreBackupToNewDisk':
    case 'restoreBackupInPlace':
    case 'deleteBackup':
    case 'protectWithSchedule':
    case 'changeSchedule':
    case 'detachSchedule':
    case 'deleteSchedule':
      // Never offered by actionsFor: no restore points, and EBS snapshots are the backups.
      throw new CloudError('invalid', `${action} is not available on AWS`);
    case 'exportSnapshot':
    case 'revokeExport':
      // Never offered by actionsFor: EBS exports go through EBS direct reads, not a URL.
      throw new CloudError('invalid', `${action} is not available for AWS snapshots`);
  }
}

async function createSnapshot(core: AwsCore, disk: Disk, values: FieldValues): Promise<ActionResult> {
  const region = disk.scopeId;
  const { token, tag } = newClientToken();
  const tags = mergeTags(tagsValue(values.tags), [tag]);
  const snapshotId = await createWithToken(core, {
    what: `CreateSnapshot ${disk.id}`,
    create: async () => {
      const out = await core.send(
        region,
        new CreateSnapshotCommand({ VolumeId: disk.id, Description: text(values, 'description'), TagSpecifications: tagSpec('snapshot', tags) }),
        { mode: 'create' },
      );
      if (!out.SnapshotId) {
        throw new CloudError('malformed', 'AWS returned a response that could not be read (no snapshot id)');
      }
      return out.SnapshotId;
    },
    adopt: async () => (await snapshotsWithToken(core, region, token))[0]?.SnapshotId,
  });
  return {
    operations: [op('snapshot', `Snapshot of ${label(disk)}`, region, snapshotId, [region])],
    refreshScopeIds: [region],
  };
}

async function snapshotVm(core: AwsCore, vm: Vm, values: FieldValues): Promise<ActionResult> {
  const region = vm.scopeId;
  const excludeBoot = bool(values, 'excludeBoot', false);
  if (excludeBoot && vm.diskIds.every((id) => id === vm.bootDiskId)) {
    throw new CloudError('invalid', `Instance ${label(vm)} has no data volumes besides its boot volume`);
  }
  const { token, tag } = newClientToken();
  const tags = mergeTags(tagsValue(values.tags), [tag]);
  const snaps = await createWithToken(core, {
    what: `CreateSnapshots ${vm.id}`,
    create: async () => {
      const out = await core.send(
        region,
        new CreateSnapshotsCommand({
          InstanceSpecification: { InstanceId: vm.id, ExcludeBootVolume: excludeBoot },
          Description: text(values, 'description'),
          TagSpecifications: tagSpec('snapshot', tags),
        }),
        { mode: 'create' },
      );
      return (out.Snapshots ?? []).filter((s) => s.SnapshotId);
    },
    adopt: async () => {
      const found = await snapshotsWithToken(core, region, token);
      return found.length ? found : undefined;
    },
  });
  if (snaps.length === 0) {
    throw new CloudError('invalid', `AWS made no snapshots of instance ${label(vm)}`);
  }
  const vmName = vm.name ?? vm.id;
  return {
    operations: snaps.map((s) =>
      op('snapshot', `Snapshot of ${vmName} ${s.VolumeId ?? ''}`.trim() + ' (multi-volume set)', region, s.SnapshotId as string, [region]),
    ),
    refreshScopeIds: [region],
  };
}

async function createImageFromVm(core: AwsCore, vm: Vm, values: FieldValues): Promise<ActionResult> {
  const name = amiName(values);
  const region = vm.scopeId;
  return createImage(core, region, `CreateImage ${vm.id}`, `Image ${name} of ${label(vm)}`, (tag) =>
    core.send(
      region,
      new CreateImageCommand({
        InstanceId: vm.id,
        Name: name,
        Description: text(values, 'description'),
        NoReboot: bool(values, 'noReboot', false),
        TagSpecifications: [...tagSpec('image', [tag]), ...tagSpec('snapshot', [tag])],
      }),
      { mode: 'create' },
    ),
  );
}

/**
 * Makes an image (CreateImage, RegisterImage: `send` sends one attempt carrying the client-token
 * tag), adopting an image an earlier attempt made, and returns the operation to track.
 */
async function createImage(
  core: AwsCore,
  region: string,
  what: string,
  title: string,
  send: (tag: Tag) => Promise<{ ImageId?: string }>,
): Promise<ActionResult> {
  const { token, tag } = newClientToken();
  const imageId = await createWithToken(core, {
    what,
    create: async () => {
      const out = await send(tag);
      if (!out.ImageId) {
        throw new CloudError('malformed', 'AWS returned a response that could not be read (no image id)');
      }
      return out.ImageId;
    },
    adopt: () => imageWithToken(core, region, token),
  });
  return { operations: [op('image', title, region, imageId, [region])], refreshScopeIds: [region] };
}

/**
 * The IOPS and throughput to ask CreateVolume for: the answers for the volume types that take
 * them (checked against EBS's ranges), nothing for the others.
 */
function performanceFor(type: string, sizeGiB: number, values: FieldValues): { Iops?: number; Throughput?: number } {
  if (type !== 'gp3' && type !== 'io1' && type !== 'io2') {
    return {};
  }
  const p = PERFORMANCE[type];
  const iops = num(values, 'iops') ?? (type === 'gp3' ? undefined : Math.max(p.iops.min, Math.min(p.iops.default, p.iops.perGiB * sizeGiB)));
  if (iops !== undefined) {
    if (!Number.isInteger(iops) || iops < p.iops.min || iops > p.iops.max) {
      throw new CloudError('invalid', `${type} volumes take ${p.iops.min}–${p.iops.max} IOPS (${iops} given)`);
    }
    const why = iopsProblem(type, iops, sizeGiB);
    if (why) {
      throw new CloudError('invalid', why);
    }
  }
  const throughput = p.throughput ? num(values, 'throughputMiBps') : undefined;
  if (throughput !== undefined && p.throughput && (!Number.isInteger(throughput) || throughput < p.throughput.min || throughput > p.throughput.max)) {
    throw new CloudError('invalid', `${type} volumes take ${p.throughput.min}–${p.throughput.max} MiB/s of throughput (${throughput} given)`);
  }
  return { Iops: iops, Throughput: throughput };
}

async function restoreToNewDisk(core: AwsCore, snap: Snapshot, values: FieldValues): Promise<ActionResult> {
  const region = snap.scopeId;
  const zone = requiredText(values, 'zone');
  const type = text(values, 'volumeType') ?? 'gp3';
  if (!VOLUME_TYPES.some((t) => t.value === type)) {
    throw new CloudError('invalid', `Unknown volume type "${type}"`);
  }
  const size = num(values, 'sizeGiB') ?? snap.sizeGiB;
  if (!Number.isInteger(size) || size < 1) {
    throw new CloudError('invalid', 'The size must be a whole number of GiB');
  }
  if ((type === 'st1' || type === 'sc1') && size < 125) {
    throw new CloudError('invalid', `${type} volumes must be at least 125 GiB`);
  }
  const name = text(values, 'name')?.trim();
  // CreateVolume has a ClientToken (a repeat answers the first one's volume); the same token as a
  // tag lets a lost answer be looked up too, as for the creates without one.
  const { token, tag } = newClientToken();
  const command = new CreateVolumeCommand({
    AvailabilityZone: zone,
    SnapshotId: snap.id,
    VolumeType: type as VolumeType,
    Size: size,
    ...performanceFor(type, size, values),
    ClientToken: token,
    TagSpecifications: tagSpec('volume', name ? [{ key: 'Name', value: name }, tag] : [tag]),
  });
  const volumeId = await createWithToken(core, {
    what: `CreateVolume ${snap.id}`,
    create: async () => {
      const out = await core.send(region, command);
      if (!out.VolumeId) {
        throw new CloudError('malformed', 'AWS returned a response that could not be read (no volume id)');
      }
      return out.VolumeId;
    },
    adopt: async () => {
      const out = await core.send(region, new DescribeVolumesCommand({ Filters: [tokenFilter(token)] }));
      return (out.Volumes ?? []).find((v) => hasToken(v.Tags, token))?.VolumeId;
    },
  });
  return {
    operations: [op('volume', `Volume ${name ? `${name} (${volumeId})` : volumeId} from snapshot ${label(snap)}`, region, volumeId, [region])],
    refreshScopeIds: [region],
  };
}

async function restoreInPlace(core: AwsCore, snap: Snapshot, values: FieldValues, related: RelatedResources): Promise<ActionResult> {
  const region = snap.scopeId;
  const candidates = await rootInstancesOf(core, snap, related);
  const wanted = text(values, 'instanceId');
  const vm = wanted ? candidates.find((v) => v.id === wanted) : candidates.length === 1 ? candidates[0] : undefined;
  if (!vm) {
    throw new CloudError(
      'invalid',
      wanted
        ? `Snapshot ${label(snap)} is not from the root volume lineage of instance ${wanted}`
        : candidates.length > 1
          ? `Choose which instance's root volume to replace`
          : `Snapshot ${label(snap)} is not from the root volume lineage of any instance in ${region}`,
    );
  }
  const command = new CreateReplaceRootVolumeTaskCommand({
    InstanceId: vm.id,
    SnapshotId: snap.id,
    ClientToken: randomUUID(),
    DeleteReplacedRootVolume: false,
  });
  const out = await sendRepeatable(core, `CreateReplaceRootVolumeTask ${vm.id}`, () => core.send(region, command));
  const taskId = out.ReplaceRootVolumeTask?.ReplaceRootVolumeTaskId;
  if (!taskId) {
    throw new CloudError('malformed', 'AWS returned a response that could not be read (no task id)');
  }
  return {
    operations: [op('replaceRoot', `Replace root volume of ${label(vm)} from ${snap.id}`, region, taskId, [region], vm.id)],
    refreshScopeIds: [region],
  };
}

async function createImageFromSnapshot(core: AwsCore, snap: Snapshot, values: FieldValues): Promise<ActionResult> {
  const name = amiName(values);
  const arch = text(values, 'architecture') ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'arm64') {
    throw new CloudError('invalid', `Unsupported architecture "${arch}"`);
  }
  const rootDevice = text(values, 'rootDevice')?.trim() || '/dev/xvda';
  const region = snap.scopeId;
  return createImage(core, region, `RegisterImage ${snap.id}`, `Image ${name} from ${label(snap)}`, (tag) =>
    core.send(
      region,
      new RegisterImageCommand({
        Name: name,
        Description: text(values, 'description'),
        Architecture: arch as ArchitectureValues,
        RootDeviceName: rootDevice,
        VirtualizationType: 'hvm',
        EnaSupport: true,
        BlockDeviceMappings: [{ DeviceName: rootDevice, Ebs: { SnapshotId: snap.id, DeleteOnTermination: true, VolumeType: 'gp3' } }],
        TagSpecifications: tagSpec('image', [tag]),
      }),
      { mode: 'create' },
    ),
  );
}

async function copySnapshot(core: AwsCore, snap: Snapshot, values: FieldValues): Promise<ActionResult> {
  const source = snap.scopeId;
  const dest = requiredText(values, 'destination');
  // A copy of an encrypted snapshot is always encrypted. A KMS key is asked (and used) only for
  // an encrypted copy: a key left over from an unencrypted answer does not encrypt anything.
  const encrypted = snap.encrypted || bool(values, 'encrypted', false);
  const kmsKeyId = encrypted ? text(values, 'kmsKeyId')?.trim() || undefined : undefined;
  const { token, tag } = newClientToken();
  const tags: Tag[] = mergeTags(inheritableTags(snap.tags), [{ key: COPIED_FROM_TAG, value: `${snap.id}@${source}` }, tag]);
  const copyId = await createWithToken(core, {
    what: `CopySnapshot ${snap.id} ${source}→${dest}`,
    create: async () => {
      const out = await core.send(
        dest,
        new CopySnapshotCommand({
          SourceRegion: source,
          SourceSnapshotId: snap.id,
          Description: text(values, 'description'),
          Encrypted: encrypted || undefined,
          KmsKeyId: kmsKeyId,
          TagSpecifications: tagSpec('snapshot', tags),
        }),
        { mode: 'create' },
      );
      if (!out.SnapshotId) {
        throw new CloudError('malformed', 'AWS returned a response that could not be read (no snapshot id)');
      }
      return out.SnapshotId;
    },
    adopt: async () => (await snapshotsWithToken(core, dest, token))[0]?.SnapshotId,
  });
  return {
    operations: [op('snapshot', `Copy of ${label(snap)} to ${dest}`, dest, copyId, [source, dest])],
    refreshScopeIds: [source, dest].filter((r, i, a) => a.indexOf(r) === i),
  };
}

async function editTags(core: AwsCore, target: Resource, values: FieldValues): Promise<ActionResult> {
  const region = target.scopeId;
  const { set, remove } = tagDiff(target.tags, tagsValue(values.tags));
  if (set.length) {
    await core.send(region, new CreateTagsCommand({ Resources: [target.id], Tags: toEc2Tags(set) }));
  }
  if (remove.length) {
    await core.send(region, new DeleteTagsCommand({ Resources: [target.id], Tags: remove.map((Key) => ({ Key })) }));
  }
  const parts = [set.length ? `${set.length} set` : '', remove.length ? `${remove.length} removed` : ''].filter(Boolean);
  return {
    operations: [],
    message: parts.length ? `Tags of ${label(target)} updated (${parts.join(', ')})` : `Tags of ${label(target)} unchanged`,
    refreshScopeIds: [region],
  };
}

async function deleteSnapshot(core: AwsCore, snap: Snapshot): Promise<ActionResult> {
  const region = snap.scopeId;
  // Checked again here so DeleteSnapshot is never sent for a snapshot an AMI uses.
  const images = await imagesUsingSnapshot(core, region, snap.id);
  if (images.length) {
    throw new CloudError('inUse', inUseByImagesMessage(snap, images), { code: 'InvalidSnapshot.InUse' });
  }
  try {
    await goneIsDone(core, `DeleteSnapshot ${snap.id}`, () =>
      sendRepeatable(core, `DeleteSnapshot ${snap.id}`, () => core.send(region, new DeleteSnapshotCommand({ SnapshotId: snap.id }))),
    );
  } catch (e) {
    if (isCloudError(e) && isAmbiguous(e) && (await goneAfterAll(core, region, snap.id))) {
      core.log(`AWS DeleteSnapshot ${snap.id}: its answers were lost (${e.display}), but the snapshot is gone`);
      return { operations: [], message: `Deleted snapshot ${label(snap)}`, refreshScopeIds: [region] };
    }
    if (isCloudError(e) && e.kind === 'inUse') {
      const users = await imagesUsingSnapshot(core, region, snap.id).catch(() => []);
      const ami = users.length ? undefined : /ami-[0-9a-zA-Z]+/.exec(e.message)?.[0];
      const message = users.length
        ? inUseByImagesMessage(snap, users)
        : `Snapshot ${label(snap)} is in use${ami ? ` by AMI ${ami}. Deregister ${ami} first.` : `: ${e.message}`}`;
      throw new CloudError('inUse', message, { code: e.code, requestId: e.requestId, cause: e });
    }
    throw e;
  }
  return { operations: [], message: `Deleted snapshot ${label(snap)}`, refreshScopeIds: [region] };
}

/**
 * Sends a delete; one answered "not found" succeeded: gone is what was asked (typically an earlier
 * attempt whose answer was lost already deleted it).
 */
async function goneIsDone(core: AwsCore, what: string, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (e) {
    if (!(isCloudError(e) && e.kind === 'notFound')) {
      throw e;
    }
    core.log(`AWS ${what}: already gone (${e.display})`);
  }
}

/** After a delete's answers were all lost: true when DescribeSnapshots no longer knows it (a failed look: false). */
async function goneAfterAll(core: AwsCore, region: string, snapshotId: string): Promise<boolean> {
  try {
    const out = await core.send(region, new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    return !(out.Snapshots ?? []).some((x) => x.SnapshotId === snapshotId);
  } catch (e) {
    return isCloudError(e) && e.kind === 'notFound';
  }
}

async function deleteImage(core: AwsCore, image: Image, values: FieldValues): Promise<ActionResult> {
  const region = image.scopeId;
  const alsoSnapshots = bool(values, 'deleteSnapshots', false);
  await goneIsDone(core, `DeregisterImage ${image.id}`, () => core.send(region, new DeregisterImageCommand({ ImageId: image.id })));
  if (!alsoSnapshots || image.snapshotIds.length === 0) {
    return { operations: [], message: `Deregistered AMI ${label(image)}`, refreshScopeIds: [region] };
  }
  const failures: { id: string; err: CloudError }[] = [];
  for (const id of image.snapshotIds) {
    // Right after deregistration AWS may still report the snapshot in use for a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await core.send(region, new DeleteSnapshotCommand({ SnapshotId: id }));
        break;
      } catch (e) {
        const err = isCloudError(e) ? e : await core.translate(e);
        if (err.kind === 'notFound') {
          break;
        }
        if (err.kind === 'inUse' && attempt < 4) {
          await sleep(core.retryDelay(attempt));
          continue;
        }
        failures.push({ id, err });
        break;
      }
    }
  }
  if (failures.length) {
    const what = failures.map((f) => `${f.id} (${f.err.display})`).join('; ');
    throw new CloudError(failures[0].err.kind, `Deregistered AMI ${label(image)}, but could not delete snapshot ${what}`, {
      code: failures[0].err.code,
      cause: failures[0].err,
    });
  }
  return {
    operations: [],
    message: `Deregistered AMI ${label(image)} and deleted ${image.snapshotIds.length} snapshot${image.snapshotIds.length === 1 ? '' : 's'}`,
    refreshScopeIds: [region],
  };
}

async function simulate(core: AwsCore, disk: Disk, values: FieldValues): Promise<ActionResult> {
  if (!core.sandbox) {
    throw new CloudError('invalid', 'Simulated writes exist only in the sandbox');
  }
  const mib = num(values, 'mib') ?? 64;
  if (!Number.isInteger(mib) || mib < 1 || mib > 1024) {
    throw new CloudError('invalid', 'MiB must be a whole number from 1 to 1024');
  }
  await simulateWrites(core.sandbox, disk.scopeId, disk.id, mib);
  return { operations: [], message: `Wrote ${mib} MiB to ${label(disk)} (sandbox)`, refreshScopeIds: [disk.scopeId] };
}
