/**
 * Images (CreateImage, RegisterImage, DeregisterImage), replace-root-volume tasks and tags.
 */
import { BLOCKS_PER_GIB } from '../blocks';
import { Ec2Error, incorrectState, invalidValue, missingParameter } from './errors';
import type { Tag } from './query';
import {
  ARCHITECTURES,
  type Architecture,
  COPY_VOLUME_ID,
  type CreateImageInput,
  type ImageRecord,
  type ImageMapping,
  mergeTags,
  type RegisterImageInput,
  type ReplaceRootInput,
  type ReplaceRootTaskRecord,
  unique,
  type VolumeRecord,
} from './records';
import { AwsVolumes } from './volumes';

export abstract class AwsImages extends AwsVolumes {
  createImage(region: string, input: CreateImageInput): ImageRecord {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceId');
    }
    const instance = this.instance(region, input.instanceId);
    const name = this.checkImageName(region, input.name);
    this.checkText('description', input.description);
    const imageTags = this.tagsFor(input.tagSpecs, 'image', ['image', 'snapshot']);
    const snapshotTags = this.tagsFor(input.tagSpecs, 'snapshot', ['image', 'snapshot'], false);
    const volumes = this.attachedVolumes(instance);
    for (const volume of volumes) {
      this.requireUsable(volume);
    }
    const imageId = this.newId('ami');
    const mappings = volumes.map((volume): ImageMapping => {
      const snap = this.snapshotVolume(
        volume,
        `Created by CreateImage(${instance.id}) for ${imageId}`,
        snapshotTags.map((t) => ({ ...t })),
      );
      return {
        deviceName: volume.attachment?.device ?? '',
        snapshotId: snap.id,
        volumeSize: volume.size,
        volumeType: volume.volumeType,
        deleteOnTermination: volume.attachment?.deleteOnTermination ?? true,
        encrypted: volume.encrypted,
        iops: volume.iops,
        throughput: volume.throughput,
      };
    });
    return this.addImage({
      id: imageId,
      region,
      name,
      description: input.description,
      architecture: instance.architecture,
      rootDeviceName: instance.rootDeviceName,
      virtualizationType: 'hvm',
      enaSupport: true,
      mappings,
      sourceInstanceId: instance.id,
      tags: imageTags,
    });
  }

  registerImage(region: string, input: RegisterImageInput): ImageRecord {
    this.settle();
    const name = this.checkImageName(region, input.name);
    this.checkText('description', input.description);
    const architecture = (input.architecture ?? 'x86_64') as Architecture;
    if (!ARCHITECTURES.includes(architecture)) {
      throw invalidValue(`Value (${input.architecture}) for parameter architecture is invalid.`);
    }
    const rootDeviceName = input.rootDeviceName ?? '/dev/xvda';
    const mappings = input.mappings.map((m, index): ImageMapping => {
      if (!m.deviceName) {
        throw missingParameter(`BlockDeviceMapping.${index + 1}.DeviceName`);
      }
      if (!m.snapshotId) {
        throw invalidValue(`The block device mapping for ${m.deviceName} needs Ebs.SnapshotId in the sandbox.`);
      }
      const snap = this.snapshot(region, m.snapshotId);
      const volumeType = this.volumeType(m.volumeType ?? 'gp2');
      const volumeSize = m.volumeSize ?? snap.volumeSize;
      if (volumeSize < snap.volumeSize) {
        throw invalidValue(
          `Volume of size ${volumeSize}GB is smaller than snapshot '${snap.id}', expect size >= ${snap.volumeSize}GB`,
        );
      }
      return {
        deviceName: m.deviceName,
        snapshotId: snap.id,
        volumeSize,
        volumeType,
        deleteOnTermination: m.deleteOnTermination ?? true,
        encrypted: snap.encrypted,
        iops: m.iops,
        throughput: m.throughput,
      };
    });
    if (!mappings.some((m) => m.deviceName === rootDeviceName)) {
      throw invalidValue(`The root device name ${rootDeviceName} has no block device mapping with a snapshot.`);
    }
    return this.addImage({
      id: this.newId('ami'),
      region,
      name,
      description: input.description,
      architecture,
      rootDeviceName,
      virtualizationType: input.virtualizationType ?? 'hvm',
      enaSupport: input.enaSupport ?? false,
      mappings,
      tags: this.tagsFor(input.tagSpecs, 'image', ['image']),
    });
  }

  deregisterImage(
    region: string,
    imageId: string | undefined,
    deleteAssociatedSnapshots = false,
  ): { snapshotId: string; returnCode: string }[] {
    this.settle();
    if (!imageId) {
      throw missingParameter('imageId');
    }
    const image = this.image(region, imageId);
    this.images.delete(image.id);
    const results: { snapshotId: string; returnCode: string }[] = [];
    if (deleteAssociatedSnapshots) {
      for (const mapping of image.mappings) {
        const snap = this.snapshots.get(mapping.snapshotId);
        if (!snap || this.imagesUsing(snap.id).length > 0) {
          results.push({ snapshotId: mapping.snapshotId, returnCode: 'skipped' });
          continue;
        }
        this.blocks.deleteSnapshot(snap.id);
        this.snapshots.delete(snap.id);
        results.push({ snapshotId: snap.id, returnCode: 'success' });
      }
    }
    this.touch();
    return results;
  }

  createReplaceRootVolumeTask(region: string, input: ReplaceRootInput): ReplaceRootTaskRecord {
    this.settle();
    if (!input.instanceId) {
      throw missingParameter('InstanceId');
    }
    const tokenKey = input.clientToken ? `${region}/${input.clientToken}` : undefined;
    const previous = tokenKey ? this.taskTokens.get(tokenKey) : undefined;
    if (previous && this.tasks.has(previous)) {
      return this.tasks.get(previous) as ReplaceRootTaskRecord;
    }
    const instance = this.instance(region, input.instanceId);
    if (instance.state !== 'running') {
      throw incorrectState(`The instance '${instance.id}' is not in the 'running' state.`);
    }
    const root = this.rootVolume(instance);
    if (!root) {
      throw incorrectState(`The instance '${instance.id}' has no root volume attached.`);
    }
    const busy = [...this.tasks.values()].find((t) => t.instanceId === instance.id && !t.outcome);
    if (busy) {
      throw incorrectState(`A replace root volume task (${busy.id}) is already in progress for instance '${instance.id}'.`);
    }
    if (input.snapshotId && input.imageId) {
      throw new Ec2Error('InvalidParameterCombination', 'Specify either SnapshotId or ImageId, not both.');
    }
    if (input.snapshotId) {
      const snap = this.snapshot(region, input.snapshotId);
      if (snap.volumeId !== root.id && !root.lineage.includes(snap.volumeId)) {
        throw invalidValue(
          `The snapshot '${snap.id}' does not belong to the lineage of the root volume '${root.id}' of instance '${instance.id}'.`,
        );
      }
      if (this.snapshotStatus(snap).status !== 'completed') {
        throw incorrectState(`Snapshot is in invalid state - ${this.snapshotStatus(snap).status}`);
      }
    } else {
      // From an AMI, or back to the launch state (the instance's own AMI).
      const imageId = input.imageId ?? instance.imageId;
      const image = this.images.get(imageId);
      if (!image || image.region !== region) {
        if (input.imageId) {
          this.image(region, input.imageId);
        }
        throw invalidValue(
          `The launch state of instance '${instance.id}' cannot be restored: its AMI ${imageId} is not available.`,
        );
      }
      if (this.imageState(image) !== 'available') {
        throw incorrectState(`The image '${image.id}' is not in the 'available' state.`);
      }
    }
    const tags = this.tagsFor(input.tagSpecs, 'replace-root-volume-task', ['replace-root-volume-task']);
    const now = this.now();
    const task: ReplaceRootTaskRecord = {
      id: this.newId('replacevol'),
      region,
      instanceId: instance.id,
      snapshotId: input.snapshotId,
      imageId: input.snapshotId ? undefined : (input.imageId ?? instance.imageId),
      deleteReplacedRootVolume: input.deleteReplacedRootVolume ?? false,
      startTime: now,
      completeAt: now + this.timing.taskMs,
      tags,
      clientToken: input.clientToken,
      seq: this.seq(),
    };
    this.tasks.set(task.id, task);
    if (tokenKey) {
      this.taskTokens.set(tokenKey, task.id);
    }
    this.touch();
    return task;
  }

  createTags(region: string, resourceIds: string[], tags: Tag[]): void {
    this.settle();
    if (resourceIds.length === 0) {
      throw missingParameter('ResourceId');
    }
    if (tags.length === 0) {
      throw missingParameter('Tag');
    }
    this.checkTags(tags);
    const targets = resourceIds.map((id) => this.taggable(region, id));
    for (const target of targets) {
      const merged = mergeTags(target.tags, tags);
      if (merged.length > 50) {
        throw new Ec2Error('TagLimitExceeded', `The maximum number of tags for resource ${resourceIds[0]} has been reached.`);
      }
    }
    for (const target of targets) {
      target.tags = mergeTags(target.tags, tags);
    }
    this.touch();
  }

  deleteTags(region: string, resourceIds: string[], tags: { key: string; value?: string }[]): void {
    this.settle();
    if (resourceIds.length === 0) {
      throw missingParameter('ResourceId');
    }
    const targets = resourceIds.map((id) => this.taggable(region, id));
    for (const target of targets) {
      target.tags =
        tags.length === 0
          ? []
          : target.tags.filter((t) => !tags.some((d) => d.key === t.key && (d.value === undefined || d.value === t.value)));
    }
    this.touch();
  }

  protected applyReplaceRoot(task: ReplaceRootTaskRecord): void {
    const instance = this.instances.get(task.instanceId);
    const root = instance ? this.rootVolume(instance) : undefined;
    const image = task.imageId ? this.images.get(task.imageId) : undefined;
    const snapshotId = task.snapshotId ?? image?.mappings.find((m) => m.deviceName === image.rootDeviceName)?.snapshotId;
    const snap = snapshotId ? this.snapshots.get(snapshotId) : undefined;
    if (!instance || !root || !snap || !root.attachment) {
      task.outcome = 'failed';
      this.touch();
      return;
    }
    const now = this.now();
    const id = this.newId('vol');
    const size = Math.max(snap.volumeSize, root.size);
    this.blocks.createDisk(id, size * BLOCKS_PER_GIB, snap.id);
    const replacement: VolumeRecord = {
      id,
      region: root.region,
      zone: root.zone,
      size,
      volumeType: root.volumeType,
      iops: root.iops,
      throughput: root.throughput,
      encrypted: root.encrypted || snap.encrypted,
      kmsKeyId: root.kmsKeyId ?? snap.kmsKeyId,
      createTime: now,
      readyAt: now,
      snapshotId: snap.id,
      attachment: { ...root.attachment, attachTime: now },
      tags: root.tags.map((t) => ({ ...t })),
      lineage: unique([...snap.volumeLineage, root.id, ...root.lineage]).filter(
        (v) => v !== id && v !== COPY_VOLUME_ID,
      ),
      seq: this.seq(),
    };
    this.volumes.set(id, replacement);
    root.attachment = undefined;
    if (task.deleteReplacedRootVolume) {
      this.volumes.delete(root.id);
      this.blocks.deleteDisk(root.id);
    }
    task.newVolumeId = id;
    task.outcome = 'succeeded';
    this.touch();
  }
}
