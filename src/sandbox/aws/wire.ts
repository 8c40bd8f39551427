/**
 * The EC2 Query wire: form parameters in, XML out (each record's members in shapes.ts), exactly in EC2's shapes
 * (`<xxxSet><item>`, `<status>` vs `<state>`, `<return>true</return>`, `<nextToken>`).
 */
import { randomUUID } from 'node:crypto';
import { Ec2Error, missingParameter } from './errors';
import { QueryParams } from './params';
import { checkPagingWithIds, type Filter } from './query';
import { type AwsState, type DescribeInput, OWNER_ID, type Tag, type TagSpec } from './state';
import { el, errorDocument, itemSet, node, responseDocument, type Xml } from './xml';
import { tagSet, snapshotFields, snapshotInfoFields, volumeFields, instanceFields, imageFields, taskFields } from './shapes';

export interface Ec2Response {
  status: number;
  body: string;
}

interface Context {
  state: AwsState;
  region: string;
}

type Handler = (params: QueryParams, ctx: Context) => Xml[];

/** Actions that change state (the rest only read). */
export const MUTATING_ACTIONS: ReadonlySet<string> = new Set([
  'CreateSnapshot',
  'CreateSnapshots',
  'CreateVolume',
  'CreateImage',
  'RegisterImage',
  'CopySnapshot',
  'CreateReplaceRootVolumeTask',
  'CreateTags',
  'DeleteTags',
  'DeleteSnapshot',
  'DeleteVolume',
  'DeregisterImage',
]);

// ---- request parsing ---------------------------------------------------------------------

function tagList(params: QueryParams, name: string): Tag[] {
  return params.structs(name).map((t) => ({ key: t.str('Key') ?? '', value: t.str('Value') ?? '' }));
}

function tagSpecs(params: QueryParams): TagSpec[] {
  return params.structs('TagSpecification').map((spec) => ({
    resourceType: spec.str('ResourceType'),
    tags: tagList(spec, 'Tag'),
  }));
}

function filtersOf(params: QueryParams): Filter[] {
  return params.structs('Filter').map((f) => ({ name: f.str('Name') ?? '', values: f.list('Value') }));
}

/** A paged Describe call's input; MaxResults with explicit ids is refused where EC2 does. */
function describeInput(params: QueryParams, action: string, idName: string): DescribeInput {
  const ids = params.list(idName);
  const maxResults = params.int('MaxResults');
  checkPagingWithIds(action, ids, maxResults);
  return { ids, owners: params.list('Owner'), filters: filtersOf(params), maxResults, nextToken: params.str('NextToken') };
}

/**
 * CreateVolume's zone, by name or by id (botocore: "Either AvailabilityZone or AvailabilityZoneId
 * must be specified, but not both"); undefined when neither is given (the state then reports the
 * missing parameter).
 */
function zoneOf(params: QueryParams, state: AwsState, region: string): string | undefined {
  const name = params.str('AvailabilityZone');
  const id = params.str('AvailabilityZoneId');
  if (id === undefined) {
    return name;
  }
  if (name !== undefined) {
    throw new Ec2Error('InvalidParameterCombination', 'Either AvailabilityZone or AvailabilityZoneId must be specified, but not both');
  }
  const info = state.region(region);
  const index = info?.zoneIds.indexOf(id) ?? -1;
  if (!info || index < 0) {
    throw new Ec2Error('InvalidParameterValue', `Invalid availability zone ID: [${id.slice(0, 64)}]`);
  }
  return info.zones[index];
}

function required(params: QueryParams, name: string): string {
  const value = params.str(name);
  if (value === undefined || value === '') {
    throw missingParameter(name);
  }
  return value;
}

// ---- response shapes ---------------------------------------------------------------------

const returnTrue = (): Xml[] => [el('return', true)];

// ---- actions -----------------------------------------------------------------------------

const HANDLERS: Record<string, Handler> = {
  DescribeRegions: (p, { state }) => {
    const regions = state.describeRegions({
      names: p.list('RegionName'),
      allRegions: p.bool('AllRegions'),
      filters: filtersOf(p),
    });
    return [
      itemSet(
        'regionInfo',
        regions.map((r) => [
          el('regionName', r.name),
          el('regionEndpoint', `ec2.${r.name}.amazonaws.com`),
          el('optInStatus', r.optInStatus),
        ]),
      ),
    ];
  },

  DescribeAvailabilityZones: (p, { state, region }) => {
    const zones = state.describeAvailabilityZones(region, {
      names: p.list('ZoneName'),
      zoneIds: p.list('ZoneId'),
      filters: filtersOf(p),
    });
    return [
      itemSet(
        'availabilityZoneInfo',
        zones.map((z) => [
          el('zoneName', z.zoneName),
          el('zoneState', 'available'),
          el('regionName', z.regionName),
          el('zoneId', z.zoneId),
          el('zoneType', 'availability-zone'),
          el('optInStatus', z.optInStatus),
          el('groupName', z.regionName),
          el('networkBorderGroup', z.regionName),
          itemSet('messageSet', []),
        ]),
      ),
    ];
  },

  DescribeInstances: (p, { state, region }) => {
    const page = state.describeInstances(region, describeInput(p, 'DescribeInstances', 'InstanceId'));
    return [
      itemSet(
        'reservationSet',
        page.items.map((i) => [
          el('reservationId', i.reservationId),
          el('ownerId', OWNER_ID),
          itemSet('groupSet', []),
          itemSet('instancesSet', [instanceFields(state, i)]),
        ]),
      ),
      el('nextToken', page.nextToken),
    ];
  },

  DescribeVolumes: (p, { state, region }) => {
    const page = state.describeVolumes(region, describeInput(p, 'DescribeVolumes', 'VolumeId'));
    return [itemSet('volumeSet', page.items.map((v) => volumeFields(state, v))), el('nextToken', page.nextToken)];
  },

  DescribeSnapshots: (p, { state, region }) => {
    const page = state.describeSnapshots(region, describeInput(p, 'DescribeSnapshots', 'SnapshotId'));
    return [itemSet('snapshotSet', page.items.map((s) => snapshotFields(state, s))), el('nextToken', page.nextToken)];
  },

  DescribeImages: (p, { state, region }) => {
    const page = state.describeImages(region, describeInput(p, 'DescribeImages', 'ImageId'));
    return [itemSet('imagesSet', page.items.map((i) => imageFields(state, i))), el('nextToken', page.nextToken)];
  },

  DescribeReplaceRootVolumeTasks: (p, { state, region }) => {
    const page = state.describeReplaceRootVolumeTasks(region, describeInput(p, 'DescribeReplaceRootVolumeTasks', 'ReplaceRootVolumeTaskId'));
    return [
      itemSet('replaceRootVolumeTaskSet', page.items.map((t) => taskFields(state, t))),
      el('nextToken', page.nextToken),
    ];
  },

  CreateSnapshot: (p, { state, region }) =>
    snapshotFields(
      state,
      state.createSnapshot(region, {
        volumeId: required(p, 'VolumeId'),
        description: p.str('Description'),
        tagSpecs: tagSpecs(p),
      }),
    ),

  CreateSnapshots: (p, { state, region }) => {
    const spec = p.sub('InstanceSpecification');
    const snapshots = state.createSnapshots(region, {
      instanceId: required(spec, 'InstanceId'),
      excludeBootVolume: spec.bool('ExcludeBootVolume'),
      excludeDataVolumeIds: spec.list('ExcludeDataVolumeId'),
      copyTagsFromSource: p.str('CopyTagsFromSource'),
      description: p.str('Description'),
      tagSpecs: tagSpecs(p),
    });
    return [itemSet('snapshotSet', snapshots.map((s) => snapshotInfoFields(state, s)))];
  },

  CopySnapshot: (p, { state, region }) => {
    const copy = state.copySnapshot(region, {
      sourceRegion: required(p, 'SourceRegion'),
      sourceSnapshotId: required(p, 'SourceSnapshotId'),
      description: p.str('Description'),
      encrypted: p.bool('Encrypted'),
      kmsKeyId: p.str('KmsKeyId'),
      tagSpecs: tagSpecs(p),
    });
    return [el('snapshotId', copy.id), tagSet(copy.tags)];
  },

  CreateVolume: (p, { state, region }) =>
    volumeFields(
      state,
      state.createVolume(region, {
        availabilityZone: zoneOf(p, state, region),
        size: p.int('Size'),
        snapshotId: p.str('SnapshotId'),
        volumeType: p.str('VolumeType'),
        iops: p.int('Iops'),
        throughput: p.int('Throughput'),
        encrypted: p.bool('Encrypted'),
        kmsKeyId: p.str('KmsKeyId'),
        tagSpecs: tagSpecs(p),
        clientToken: p.str('ClientToken'),
      }),
    ),

  CreateImage: (p, { state, region }) => {
    const image = state.createImage(region, {
      instanceId: required(p, 'InstanceId'),
      name: required(p, 'Name'),
      description: p.str('Description'),
      noReboot: p.bool('NoReboot'),
      tagSpecs: tagSpecs(p),
    });
    return [el('imageId', image.id)];
  },

  RegisterImage: (p, { state, region }) => {
    const image = state.registerImage(region, {
      name: required(p, 'Name'),
      description: p.str('Description'),
      rootDeviceName: p.str('RootDeviceName'),
      architecture: p.str('Architecture'),
      virtualizationType: p.str('VirtualizationType'),
      enaSupport: p.bool('EnaSupport'),
      mappings: p.structs('BlockDeviceMapping').map((m) => {
        const ebs = m.sub('Ebs');
        return {
          deviceName: m.str('DeviceName'),
          snapshotId: ebs.str('SnapshotId'),
          volumeSize: ebs.int('VolumeSize'),
          volumeType: ebs.str('VolumeType'),
          deleteOnTermination: ebs.bool('DeleteOnTermination'),
          encrypted: ebs.bool('Encrypted'),
          iops: ebs.int('Iops'),
          throughput: ebs.int('Throughput'),
        };
      }),
      tagSpecs: tagSpecs(p),
    });
    return [el('imageId', image.id)];
  },

  DeregisterImage: (p, { state, region }) => {
    const results = state.deregisterImage(region, required(p, 'ImageId'), p.bool('DeleteAssociatedSnapshots'));
    return [
      el('return', true),
      p.bool('DeleteAssociatedSnapshots')
        ? itemSet(
            'deleteSnapshotResultSet',
            results.map((r) => [el('snapshotId', r.snapshotId), el('returnCode', r.returnCode)]),
          )
        : ('' as Xml),
    ];
  },

  CreateReplaceRootVolumeTask: (p, { state, region }) => {
    const task = state.createReplaceRootVolumeTask(region, {
      instanceId: required(p, 'InstanceId'),
      snapshotId: p.str('SnapshotId'),
      imageId: p.str('ImageId'),
      deleteReplacedRootVolume: p.bool('DeleteReplacedRootVolume'),
      tagSpecs: tagSpecs(p),
      clientToken: p.str('ClientToken'),
    });
    return [node('replaceRootVolumeTask', ...taskFields(state, task))];
  },

  CreateTags: (p, { state, region }) => {
    state.createTags(region, p.list('ResourceId'), tagList(p, 'Tag'));
    return returnTrue();
  },

  DeleteTags: (p, { state, region }) => {
    const tags = p.structs('Tag').map((t) => ({ key: t.str('Key') ?? '', value: t.str('Value') }));
    state.deleteTags(region, p.list('ResourceId'), tags);
    return returnTrue();
  },

  DeleteSnapshot: (p, { state, region }) => {
    state.deleteSnapshot(region, required(p, 'SnapshotId'));
    return returnTrue();
  },

  DeleteVolume: (p, { state, region }) => {
    state.deleteVolume(region, required(p, 'VolumeId'));
    return returnTrue();
  },
};

export const SUPPORTED_ACTIONS: readonly string[] = Object.keys(HANDLERS);

/**
 * The parameters each action takes, by their wire names (botocore
 * `data/ec2/2016-11-15/service-2.json`, 1.43: each input member's `queryName`, else its capitalised
 * `locationName`, else its name). The sandbox reads only some of them; the others are accepted
 * and have no effect here, as a real client may send any of them. Anything else is refused with
 * `UnknownParameter` ("The parameter X is not recognized"), EC2's answer for a parameter the
 * action does not have (EC2 API Reference, "Error codes": UnknownParameter).
 */
const PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  DescribeRegions: ['AllRegions', 'DryRun', 'Filter', 'RegionName'],
  DescribeAvailabilityZones: ['AllAvailabilityZones', 'DryRun', 'Filter', 'ZoneId', 'ZoneName'],
  DescribeInstances: ['DryRun', 'Filter', 'IncludeManagedResources', 'InstanceId', 'MaxResults', 'NextToken'],
  DescribeVolumes: ['DryRun', 'Filter', 'IncludeManagedResources', 'MaxResults', 'NextToken', 'VolumeId'],
  DescribeSnapshots: ['DryRun', 'Filter', 'MaxResults', 'NextToken', 'Owner', 'RestorableBy', 'SnapshotId'],
  DescribeImages: ['DryRun', 'ExecutableBy', 'Filter', 'ImageId', 'IncludeDeprecated', 'IncludeDisabled', 'MaxResults', 'NextToken', 'Owner'],
  DescribeReplaceRootVolumeTasks: ['DryRun', 'Filter', 'MaxResults', 'NextToken', 'ReplaceRootVolumeTaskId'],
  CreateSnapshot: ['Description', 'DryRun', 'Location', 'OutpostArn', 'TagSpecification', 'VolumeId'],
  CreateSnapshots: ['CopyTagsFromSource', 'Description', 'DryRun', 'InstanceSpecification', 'Location', 'OutpostArn', 'TagSpecification'],
  CopySnapshot: [
    'CompletionDurationMinutes', 'Description', 'DestinationAvailabilityZone', 'DestinationOutpostArn', 'DestinationRegion',
    'DryRun', 'Encrypted', 'KmsKeyId', 'PresignedUrl', 'SourceRegion', 'SourceSnapshotId', 'TagSpecification',
  ],
  CreateVolume: [
    'AvailabilityZone', 'AvailabilityZoneId', 'ClientToken', 'DryRun', 'Encrypted', 'Iops', 'KmsKeyId', 'MultiAttachEnabled',
    'Operator', 'OutpostArn', 'Size', 'SnapshotId', 'TagSpecification', 'Throughput', 'VolumeInitializationRate', 'VolumeType',
  ],
  CreateImage: ['BlockDeviceMapping', 'Description', 'DryRun', 'InstanceId', 'Name', 'NoReboot', 'SnapshotLocation', 'TagSpecification'],
  RegisterImage: [
    'Architecture', 'BillingProduct', 'BlockDeviceMapping', 'BootMode', 'Description', 'DryRun', 'EnaSupport', 'ImageLocation',
    'ImdsSupport', 'KernelId', 'Name', 'RamdiskId', 'RootDeviceName', 'SriovNetSupport', 'TagSpecification', 'TpmSupport',
    'UefiData', 'VirtualizationType',
  ],
  DeregisterImage: ['DeleteAssociatedSnapshots', 'DryRun', 'ImageId'],
  CreateReplaceRootVolumeTask: [
    'ClientToken', 'DeleteReplacedRootVolume', 'DryRun', 'ImageId', 'InstanceId', 'SnapshotId', 'TagSpecification',
    'VolumeInitializationRate',
  ],
  CreateTags: ['DryRun', 'ResourceId', 'Tag'],
  DeleteTags: ['DryRun', 'ResourceId', 'Tag'],
  DeleteSnapshot: ['DryRun', 'SnapshotId'],
  DeleteVolume: ['DryRun', 'VolumeId'],
};

/**
 * Parameters of every Query request: the action and version, and the authentication of a request
 * signed in its query string (SigV4 `X-Amz-*`, the older SigV2 names; EC2 API Reference, "Common
 * query parameters").
 */
const COMMON_PARAMETERS: ReadonlySet<string> = new Set([
  'Action', 'Version', 'AWSAccessKeyId', 'Expires', 'SecurityToken', 'Signature', 'SignatureMethod', 'SignatureVersion',
  'Timestamp', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token',
  'X-Amz-Signature', 'X-Amz-SignedHeaders',
]);

/** The parameters an action takes (for tests: every handled action has its list). */
export function actionParameters(action: string): readonly string[] | undefined {
  return Object.prototype.hasOwnProperty.call(PARAMETERS, action) ? PARAMETERS[action] : undefined;
}

function checkParameters(action: string, params: QueryParams): void {
  const known = actionParameters(action) ?? [];
  const unknown = params.names().find((name) => !COMMON_PARAMETERS.has(name) && !known.includes(name));
  if (unknown !== undefined) {
    throw new Ec2Error('UnknownParameter', `The parameter ${unknown.slice(0, 100)} is not recognized`);
  }
}

export function newRequestId(): string {
  return randomUUID();
}

export function ec2ErrorResponse(error: Ec2Error, requestId: string): Ec2Response {
  return { status: error.status, body: errorDocument(error.code, error.message, requestId) };
}

/** Runs one EC2 action in a region; errors become EC2 error documents. */
export function handleEc2(state: AwsState, region: string, params: QueryParams, requestId: string): Ec2Response {
  const action = params.str('Action');
  try {
    if (!action) {
      throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
    }
    const handler = Object.prototype.hasOwnProperty.call(HANDLERS, action) ? HANDLERS[action] : undefined;
    if (!handler) {
      throw new Ec2Error('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    checkParameters(action, params);
    if (params.bool('DryRun')) {
      throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    const children = handler(params, { state, region });
    return { status: 200, body: responseDocument(action, requestId, children) };
  } catch (error) {
    if (error instanceof Ec2Error) {
      return ec2ErrorResponse(error, requestId);
    }
    console.error(`[snapkeeper sandbox] EC2 ${action ?? ''} failed`, error);
    return ec2ErrorResponse(
      new Ec2Error('InternalError', 'An internal error has occurred', 500),
      requestId,
    );
  }
}
