/**
 * EC2-shaped XML of each record: the members DescribeX and CreateX answers carry
 * (`<tagSet>`, `<status>` vs `<state>`, encrypted/KMS, attachments, block device mappings).
 */
import {
  type AwsState,
  type ImageRecord,
  type InstanceRecord,
  instanceStateCode,
  isoTime,
  OWNER_ID,
  type ReplaceRootTaskRecord,
  type SnapshotRecord,
  type Tag,
  type VolumeRecord,
} from './state';
import { el, itemSet, node, type Xml } from './xml';

export function tagSet(tags: readonly Tag[]): Xml {
  return itemSet(
    'tagSet',
    tags.map((t) => [el('key', t.key), el('value', t.value)]),
  );
}

/** A Snapshot as in DescribeSnapshots and CreateSnapshot (`<status>`). */
export function snapshotFields(state: AwsState, s: SnapshotRecord): Xml[] {
  const { status, progress } = state.snapshotStatus(s);
  const completed = status === 'completed';
  return [
    el('snapshotId', s.id),
    el('volumeId', s.volumeId),
    el('status', status),
    el('startTime', isoTime(s.startTime)),
    el('progress', progress),
    el('ownerId', OWNER_ID),
    el('volumeSize', s.volumeSize),
    el('description', s.description),
    el('encrypted', s.encrypted),
    el('kmsKeyId', s.encrypted ? s.kmsKeyId : undefined),
    tagSet(s.tags),
    el('storageTier', 'standard'),
    el('completionTime', completed ? isoTime(s.completeAt) : undefined),
    el('fullSnapshotSizeInBytes', completed ? state.blocks.fullBytes(s.id) : undefined),
  ];
}

/** A SnapshotInfo as in CreateSnapshots (`<state>`, not `<status>`). */
export function snapshotInfoFields(state: AwsState, s: SnapshotRecord): Xml[] {
  const { status, progress } = state.snapshotStatus(s);
  return [
    el('description', s.description),
    tagSet(s.tags),
    el('encrypted', s.encrypted),
    el('volumeId', s.volumeId),
    el('state', status),
    el('volumeSize', s.volumeSize),
    el('startTime', isoTime(s.startTime)),
    el('progress', progress),
    el('ownerId', OWNER_ID),
    el('snapshotId', s.id),
  ];
}

export function volumeFields(state: AwsState, v: VolumeRecord): Xml[] {
  const attachments = v.attachment
    ? [
        [
          el('volumeId', v.id),
          el('instanceId', v.attachment.instanceId),
          el('device', v.attachment.device),
          el('status', 'attached'),
          el('attachTime', isoTime(v.attachment.attachTime)),
          el('deleteOnTermination', v.attachment.deleteOnTermination),
        ],
      ]
    : [];
  return [
    el('volumeId', v.id),
    el('size', v.size),
    el('snapshotId', v.snapshotId ?? ''),
    el('availabilityZone', v.zone),
    el('status', state.volumeStatus(v)),
    el('createTime', isoTime(v.createTime)),
    itemSet('attachmentSet', attachments),
    tagSet(v.tags),
    el('volumeType', v.volumeType),
    el('iops', v.iops),
    el('throughput', v.throughput),
    el('encrypted', v.encrypted),
    el('kmsKeyId', v.encrypted ? v.kmsKeyId : undefined),
    el('multiAttachEnabled', false),
  ];
}

export function instanceFields(state: AwsState, i: InstanceRecord): Xml[] {
  const devices = state.attachedVolumes(i).map((v) => [
    el('deviceName', v.attachment?.device),
    node(
      'ebs',
      el('volumeId', v.id),
      el('status', 'attached'),
      el('attachTime', isoTime(v.attachment?.attachTime ?? v.createTime)),
      el('deleteOnTermination', v.attachment?.deleteOnTermination ?? false),
    ),
  ]);
  const stopped = i.state === 'stopped';
  return [
    el('instanceId', i.id),
    el('imageId', i.imageId),
    node('instanceState', el('code', instanceStateCode(i.state)), el('name', i.state)),
    el('privateDnsName', `ip-${i.privateIpAddress.replace(/\./g, '-')}.${i.region}.compute.internal`),
    el('dnsName', ''),
    el('reason', stopped ? `User initiated (${isoTime(i.launchTime).replace('T', ' ').slice(0, 19)} GMT)` : ''),
    el('amiLaunchIndex', 0),
    itemSet('productCodes', []),
    el('instanceType', i.instanceType),
    el('launchTime', isoTime(i.launchTime)),
    node('placement', el('availabilityZone', i.zone), el('groupName', ''), el('tenancy', 'default')),
    node('monitoring', el('state', 'disabled')),
    el('privateIpAddress', i.privateIpAddress),
    itemSet('groupSet', [[el('groupId', 'sg-0a1b2c3d4e5f60001'), el('groupName', 'default')]]),
    stopped
      ? node(
          'stateReason',
          el('code', 'Client.UserInitiatedShutdown'),
          el('message', 'Client.UserInitiatedShutdown: User initiated shutdown'),
        )
      : ('' as Xml),
    el('architecture', i.architecture),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', i.rootDeviceName),
    itemSet('blockDeviceMapping', devices),
    el('virtualizationType', 'hvm'),
    el('clientToken', ''),
    tagSet(i.tags),
    el('hypervisor', 'xen'),
    el('ebsOptimized', true),
    el('enaSupport', true),
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
  ];
}

export function imageFields(state: AwsState, i: ImageRecord): Xml[] {
  const mappings = i.mappings.map((m) => [
    el('deviceName', m.deviceName),
    node(
      'ebs',
      el('snapshotId', m.snapshotId),
      el('volumeSize', m.volumeSize),
      el('deleteOnTermination', m.deleteOnTermination),
      el('volumeType', m.volumeType),
      el('iops', m.iops),
      el('throughput', m.throughput),
      el('encrypted', m.encrypted),
    ),
  ]);
  return [
    el('imageId', i.id),
    el('imageLocation', `${OWNER_ID}/${i.name}`),
    el('imageState', state.imageState(i)),
    el('imageOwnerId', OWNER_ID),
    el('creationDate', isoTime(i.creationDate)),
    el('isPublic', false),
    el('architecture', i.architecture),
    el('imageType', 'machine'),
    el('sourceInstanceId', i.sourceInstanceId),
    el('name', i.name),
    el('description', i.description),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', i.rootDeviceName),
    itemSet('blockDeviceMapping', mappings),
    el('virtualizationType', i.virtualizationType),
    tagSet(i.tags),
    el('hypervisor', 'xen'),
    el('enaSupport', i.enaSupport),
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
  ];
}

export function taskFields(state: AwsState, t: ReplaceRootTaskRecord): Xml[] {
  return [
    el('replaceRootVolumeTaskId', t.id),
    el('instanceId', t.instanceId),
    el('taskState', state.taskState(t)),
    el('startTime', isoTime(t.startTime)),
    el('completeTime', t.outcome ? isoTime(t.completeAt) : undefined),
    tagSet(t.tags),
    el('imageId', t.imageId),
    el('snapshotId', t.snapshotId),
    el('deleteReplacedRootVolume', t.deleteReplacedRootVolume),
  ];
}
