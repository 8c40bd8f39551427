/**
 * The EC2 Describe* queries over the store (ids, owners, filters, paging, visibility lag).
 */
import { Ec2Error } from './errors';
import { applyFilters, type Page, paginate } from './query';
import {
  type DescribeInput,
  type ImageRecord,
  type InstanceRecord,
  instanceStateCode,
  iso,
  OWNER_ID,
  type ReplaceRootTaskRecord,
  type SnapshotRecord,
  type VolumeRecord,
} from './records';
import { AwsStore } from './store';

export abstract class AwsDescribe extends AwsStore {
  describeInstances(region: string, input: DescribeInput): Page<InstanceRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.instances, (id) => this.instance(region, id), (missing) =>
      new Ec2Error(
        'InvalidInstanceID.NotFound',
        missing.length === 1
          ? `The instance ID '${missing[0]}' does not exist`
          : `The instance IDs '${missing.join(', ')}' do not exist`,
      ),
      (i) => i.launchTime,
    );
    const known = [
      'instance-id',
      'instance-state-name',
      'instance-state-code',
      'instance-type',
      'availability-zone',
      'image-id',
      'root-device-name',
      'root-device-type',
      'architecture',
      'reservation-id',
      'owner-id',
      'private-ip-address',
      'block-device-mapping.volume-id',
      'block-device-mapping.device-name',
    ];
    const filtered = applyFilters(base, input.filters ?? [], known, (i, name) => {
      switch (name) {
        case 'instance-id':
          return [i.id];
        case 'instance-state-name':
          return [i.state];
        case 'instance-state-code':
          return [String(instanceStateCode(i.state))];
        case 'instance-type':
          return [i.instanceType];
        case 'availability-zone':
          return [i.zone];
        case 'image-id':
          return [i.imageId];
        case 'root-device-name':
          return [i.rootDeviceName];
        case 'root-device-type':
          return ['ebs'];
        case 'architecture':
          return [i.architecture];
        case 'reservation-id':
          return [i.reservationId];
        case 'owner-id':
          return [OWNER_ID];
        case 'private-ip-address':
          return [i.privateIpAddress];
        case 'block-device-mapping.volume-id':
          return this.attachedVolumes(i).map((v) => v.id);
        default:
          return this.attachedVolumes(i).map((v) => v.attachment?.device ?? '');
      }
    });
    return paginate(filtered, 'DescribeInstances', input.maxResults, input.nextToken);
  }

  describeVolumes(region: string, input: DescribeInput): Page<VolumeRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.volumes, (id) => this.volume(region, id), (missing) =>
      new Ec2Error(
        'InvalidVolume.NotFound',
        missing.length === 1
          ? `The volume '${missing[0]}' does not exist.`
          : `The volumes '${missing.join(', ')}' do not exist.`,
      ),
      (v) => v.createTime,
    );
    const known = [
      'volume-id',
      'status',
      'size',
      'volume-type',
      'availability-zone',
      'snapshot-id',
      'encrypted',
      'create-time',
      'multi-attach-enabled',
      'attachment.instance-id',
      'attachment.device',
      'attachment.status',
      'attachment.attach-time',
      'attachment.delete-on-termination',
    ];
    const filtered = applyFilters(base, input.filters ?? [], known, (v, name) => {
      switch (name) {
        case 'volume-id':
          return [v.id];
        case 'status':
          return [this.volumeStatus(v)];
        case 'size':
          return [String(v.size)];
        case 'volume-type':
          return [v.volumeType];
        case 'availability-zone':
          return [v.zone];
        case 'snapshot-id':
          return [v.snapshotId ?? ''];
        case 'encrypted':
          return [String(v.encrypted)];
        case 'create-time':
          return [iso(v.createTime)];
        case 'multi-attach-enabled':
          return ['false'];
        case 'attachment.instance-id':
          return v.attachment ? [v.attachment.instanceId] : [];
        case 'attachment.device':
          return v.attachment ? [v.attachment.device] : [];
        case 'attachment.status':
          return v.attachment ? ['attached'] : [];
        case 'attachment.attach-time':
          return v.attachment ? [iso(v.attachment.attachTime)] : [];
        default:
          return v.attachment ? [String(v.attachment.deleteOnTermination)] : [];
      }
    });
    return paginate(filtered, 'DescribeVolumes', input.maxResults, input.nextToken);
  }

  describeSnapshots(region: string, input: DescribeInput): Page<SnapshotRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.snapshots, (id) => this.snapshot(region, id), (missing) =>
      new Ec2Error(
        'InvalidSnapshot.NotFound',
        missing.length === 1
          ? `The snapshot '${missing[0]}' does not exist.`
          : `The snapshots '${missing.join(', ')}' do not exist.`,
      ),
      (snap) => snap.startTime,
    );
    const owned = this.ownedBy(input.owners) ? base : [];
    const known = [
      'snapshot-id',
      'volume-id',
      'status',
      'owner-id',
      'owner-alias',
      'description',
      'progress',
      'start-time',
      'volume-size',
      'encrypted',
      'storage-tier',
      'transfer-type',
    ];
    const filtered = applyFilters(owned, input.filters ?? [], known, (s, name) => {
      switch (name) {
        case 'snapshot-id':
          return [s.id];
        case 'volume-id':
          return [s.volumeId];
        case 'status':
          return [this.snapshotStatus(s).status];
        case 'owner-id':
          return [OWNER_ID];
        case 'owner-alias':
          return [];
        case 'description':
          return [s.description];
        case 'progress':
          return [this.snapshotStatus(s).progress];
        case 'start-time':
          return [iso(s.startTime)];
        case 'volume-size':
          return [String(s.volumeSize)];
        case 'encrypted':
          return [String(s.encrypted)];
        case 'storage-tier':
          return ['standard'];
        default:
          return ['standard'];
      }
    });
    return paginate(filtered, 'DescribeSnapshots', input.maxResults, input.nextToken);
  }

  describeImages(region: string, input: DescribeInput): Page<ImageRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.images, (id) => this.image(region, id), (missing) =>
      new Ec2Error(
        'InvalidAMIID.NotFound',
        missing.length === 1
          ? `The image id '[${missing[0]}]' does not exist`
          : `The image ids '[${missing.join(', ')}]' do not exist`,
      ),
      (image) => image.creationDate,
    );
    const owned = this.ownedBy(input.owners) ? base : [];
    const known = [
      'image-id',
      'name',
      'description',
      'state',
      'owner-id',
      'architecture',
      'root-device-name',
      'root-device-type',
      'virtualization-type',
      'is-public',
      'image-type',
      'block-device-mapping.snapshot-id',
      'block-device-mapping.device-name',
      'block-device-mapping.volume-size',
      'block-device-mapping.volume-type',
      'block-device-mapping.encrypted',
    ];
    const filtered = applyFilters(owned, input.filters ?? [], known, (i, name) => {
      switch (name) {
        case 'image-id':
          return [i.id];
        case 'name':
          return [i.name];
        case 'description':
          return i.description === undefined ? [] : [i.description];
        case 'state':
          return [this.imageState(i)];
        case 'owner-id':
          return [OWNER_ID];
        case 'architecture':
          return [i.architecture];
        case 'root-device-name':
          return [i.rootDeviceName];
        case 'root-device-type':
          return ['ebs'];
        case 'virtualization-type':
          return [i.virtualizationType];
        case 'is-public':
          return ['false'];
        case 'image-type':
          return ['machine'];
        case 'block-device-mapping.snapshot-id':
          return i.mappings.map((m) => m.snapshotId);
        case 'block-device-mapping.device-name':
          return i.mappings.map((m) => m.deviceName);
        case 'block-device-mapping.volume-size':
          return i.mappings.map((m) => String(m.volumeSize));
        case 'block-device-mapping.volume-type':
          return i.mappings.map((m) => m.volumeType);
        default:
          return i.mappings.map((m) => String(m.encrypted));
      }
    });
    return paginate(filtered, 'DescribeImages', input.maxResults, input.nextToken);
  }

  describeReplaceRootVolumeTasks(region: string, input: DescribeInput): Page<ReplaceRootTaskRecord> {
    this.settle();
    const base = this.byIds(region, input.ids, this.tasks, (id) => {
      const task = this.tasks.get(id);
      if (!task || task.region !== region) {
        throw new Ec2Error('InvalidReplaceRootVolumeTaskId.NotFound', `The replace root volume task '${id}' does not exist.`);
      }
      return task;
    }, (missing) =>
      new Ec2Error('InvalidReplaceRootVolumeTaskId.NotFound', `The replace root volume task '${missing[0]}' does not exist.`),
      (task) => task.startTime,
    );
    const filtered = applyFilters(base, input.filters ?? [], ['instance-id'], (t) => [t.instanceId]);
    return paginate(filtered, 'DescribeReplaceRootVolumeTasks', input.maxResults, input.nextToken);
  }
}
