/** The `/_sandbox/aws/…` control endpoints and the AWS part of the state summary. */
import { field } from '../backend';
import { Ec2Error } from './errors';
import type { AwsState } from './state';

/** Counts per region and in total. */
export function awsSummary(aws: AwsState) {
  const regions = aws.counts();
  const total = (key: 'instances' | 'volumes' | 'snapshots' | 'images') => regions.reduce((n, r) => n + r[key], 0);
  return {
    ownerId: aws.ownerId,
    regions,
    totals: {
      regions: regions.length,
      instances: total('instances'),
      volumes: total('volumes'),
      snapshots: total('snapshots'),
      images: total('images'),
    },
  };
}

/** What the block model says about one snapshot. */
export function snapshotFacts(aws: AwsState, region: string, snapshotId: string) {
  const snap = aws.snapshot(region, snapshotId);
  const blocks = aws.blocks.getSnapshot(snap.id);
  return {
    snapshotId: snap.id,
    region: snap.region,
    volumeId: snap.volumeId,
    storedBytes: aws.blocks.storedBytes(snap.id),
    fullBytes: aws.blocks.fullBytes(snap.id),
    parentSnapshotId: blocks?.parent ?? null,
    deleteImpact: aws.blocks.deleteImpact(snap.id),
  };
}

/** Handles /_sandbox/aws/… (undefined when no endpoint matches); `changed` marks the state dirty and passes its value through. */
export function awsControlRoute(aws: AwsState, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown {
  const path = url.pathname;
  if (method === 'POST' && path === '/_sandbox/aws/writes') {
    return changed({ blocksWritten: aws.writeMiB(field(input, 'region', 'string'), field(input, 'volumeId', 'string'), field(input, 'mib', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/aws/bulk-snapshots') {
    return changed({ snapshotIds: aws.bulkSnapshots(field(input, 'region', 'string'), field(input, 'volumeId', 'string'), field(input, 'count', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/aws/regions') {
    return changed({ regions: aws.setRegionCount(field(input, 'count', 'number')) });
  }
  const snapshotMatch = /^\/_sandbox\/aws\/snapshots\/([^/]+)$/.exec(path);
  if (method === 'GET' && snapshotMatch) {
    return snapshotFacts(aws, url.searchParams.get('region') ?? '', decodeURIComponent(snapshotMatch[1]));
  }
  return undefined;
}

/** A control route's EC2 error: 404 for `*.NotFound`, else 400. */
export function awsErrorAnswer(error: unknown): { status: number; body: unknown } | undefined {
  if (error instanceof Ec2Error) {
    return { status: error.code.endsWith('.NotFound') ? 404 : 400, body: { error: { code: error.code, message: error.message } } };
  }
  return undefined;
}
