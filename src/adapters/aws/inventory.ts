/**
 * Listing one region: DescribeInstances, DescribeVolumes, DescribeSnapshots (self) and
 * DescribeImages (self) run in parallel, each paged with MaxResults/NextToken, each page mapped
 * and streamed to the sink.
 *
 * Two listings need facts from others before their pages can be mapped faithfully, so their
 * pages are fetched at full speed but held back until those facts are in:
 *  - volume pages wait for the instance listing (which device is each instance's root → `boot`);
 *  - snapshot pages wait for instances, volumes and images (root lineage and AMI roots → the
 *    hints `actionsFor` reads for restoreInPlace / createImageFromSnapshot).
 * Instances and images stream as they arrive. Pages keep their order; `done` marks the last.
 */
import { linkedAbort } from '../../model/abort';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type Image as Ec2Image,
  type Snapshot as Ec2Snapshot,
  type Volume as Ec2Volume,
} from '@aws-sdk/client-ec2';
import type { Disk, InventorySink, Resource, ResourceKind, Vm } from '../../model/types';
import type { AwsCore } from './core';
import { rootLineage } from './lineage';
import { mapImage, mapInstance, mapSnapshot, mapVolume, rootSnapshotOf, sourceVolumeOf, type AwsSnapshot } from './map';

interface Page<T> {
  items: T[];
  next?: string;
}

function clampPage(size: number, max: number): number {
  return Math.max(5, Math.min(max, Math.floor(size) || 5));
}

/** Calls `fetch` for each page until there is no NextToken, handing each page to `onPage`. */
async function pages<T>(
  fetch: (token: string | undefined) => Promise<Page<T>>,
  onPage: (items: T[], done: boolean) => void,
  signal: AbortSignal,
): Promise<void> {
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    signal.throwIfAborted();
    const page = await fetch(token);
    token = page.next || undefined;
    // A server that repeats a token would loop forever; stop instead.
    if (token !== undefined && seen.has(token)) {
      token = undefined;
    }
    if (token !== undefined) {
      seen.add(token);
    }
    onPage(page.items, token === undefined);
  } while (token !== undefined);
}

/** A chain of emissions that run in order, each after its gate. */
class Emitter {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly sink: InventorySink, private readonly kind: ResourceKind) {}

  /** Queues one page: `build` runs (and the page is added) once `gate` resolves. */
  push(gate: Promise<unknown>, build: () => Resource[], done: boolean): void {
    this.chain = this.chain.then(async () => {
      await gate;
      this.sink.add(this.kind, build(), done);
    });
    this.chain.catch(() => undefined); // awaited through `flushed()`; never unhandled
  }

  flushed(): Promise<void> {
    return this.chain;
  }
}

/** Lists `region` into `sink`. Rejects with a CloudError, or the AbortError when `signal` fired. */
export async function listRegion(core: AwsCore, region: string, sink: InventorySink, signal: AbortSignal): Promise<void> {
  // One failed listing stops the others.
  const group = linkedAbort(signal);
  const sig = group.signal;
  const pageSize = core.setting<number>('aws.pageSize', 500);
  const opts = { signal: sig };

  const vms: Vm[] = [];
  const rootDevices = new Map<string, string>();
  const disks: Disk[] = [];
  const imageRoots = new Map<string, string[]>();
  const snapshotVolumes = core.snapshotVolumes(region);

  const instances = pages(
    async (token) => {
      const out = await core.send(region, new DescribeInstancesCommand({ MaxResults: clampPage(pageSize, 1000), NextToken: token }), opts);
      return { items: (out.Reservations ?? []).flatMap((r) => r.Instances ?? []), next: out.NextToken };
    },
    (items, done) => {
      const mapped: Vm[] = [];
      for (const i of items) {
        if (i.State?.Name === 'terminated') {
          continue;
        }
        const vm = mapInstance(i, region);
        mapped.push(vm);
        vms.push(vm);
        if (i.RootDeviceName) {
          rootDevices.set(vm.id, i.RootDeviceName);
        }
      }
      sink.add('vm', mapped, done);
    },
    sig,
  );

  const images = pages<Ec2Image>(
    async (token) => {
      const out = await core.send(
        region,
        new DescribeImagesCommand({ Owners: ['self'], MaxResults: clampPage(pageSize, 1000), NextToken: token }),
        opts,
      );
      return { items: out.Images ?? [], next: out.NextToken };
    },
    (items, done) => {
      for (const i of items) {
        const root = rootSnapshotOf(i);
        if (root && i.ImageId) {
          imageRoots.set(root, [...(imageRoots.get(root) ?? []), i.ImageId]);
        }
      }
      sink.add('image', items.map((i) => mapImage(i, region)), done);
    },
    sig,
  );

  const volumeEmitter = new Emitter(sink, 'disk');
  const volumes = pages<Ec2Volume>(
    async (token) => {
      const out = await core.send(region, new DescribeVolumesCommand({ MaxResults: clampPage(pageSize, 500), NextToken: token }), opts);
      return { items: out.Volumes ?? [], next: out.NextToken };
    },
    (items, done) =>
      volumeEmitter.push(
        instances,
        () => {
          const mapped = items.map((v) => mapVolume(v, region, rootDevices));
          disks.push(...mapped);
          return mapped;
        },
        done,
      ),
    sig,
  ).then(() => volumeEmitter.flushed());

  // The hints need every instance, volume and image, and the volumes of the roots' sources.
  const hintsReady = Promise.all([instances, volumes, images]).then(() =>
    resolveMissingLinks(core, region, vms, disks, snapshotVolumes, sig),
  );
  hintsReady.catch(() => undefined);

  const snapshotEmitter = new Emitter(sink, 'snapshot');
  const snapshots = pages<Ec2Snapshot>(
    async (token) => {
      const out = await core.send(
        region,
        new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: clampPage(pageSize, 1000), NextToken: token }),
        opts,
      );
      return { items: out.Snapshots ?? [], next: out.NextToken };
    },
    (items, done) => {
      for (const s of items) {
        if (s.SnapshotId) {
          snapshotVolumes.set(s.SnapshotId, sourceVolumeOf(s));
        }
      }
      snapshotEmitter.push(
        hintsReady,
        () => {
          const lineage = rootLineage(vms, disks, snapshotVolumes).rootOf;
          return items.map((s): AwsSnapshot => {
            const snap = mapSnapshot(s, region);
            snap.awsHints = {
              rootOfInstanceIds: snap.diskId ? lineage.get(snap.diskId) ?? [] : [],
              rootOfImageIds: imageRoots.get(snap.id) ?? [],
            };
            return snap;
          });
        },
        done,
      );
    },
    sig,
  ).then(() => snapshotEmitter.flushed());

  await group.all([instances, images, volumes, snapshots]);
}

/**
 * Looks up the source snapshots met while walking root lineages whose volume is not known yet
 * (the snapshot is on a later page, or in no listing at all), a level at a time.
 */
export async function resolveMissingLinks(
  core: AwsCore,
  region: string,
  vms: readonly Vm[],
  disks: readonly Disk[],
  snapshotVolumes: Map<string, string | null>,
  signal?: AbortSignal,
): Promise<void> {
  for (let depth = 0; depth < 8; depth++) {
    const { missing } = rootLineage(vms, disks, snapshotVolumes);
    if (missing.size === 0) {
      return;
    }
    await Promise.all(
      [...missing].map(async (id) => {
        try {
          const out = await core.send(region, new DescribeSnapshotsCommand({ SnapshotIds: [id] }), { signal });
          const s = out.Snapshots?.find((x) => x.SnapshotId === id);
          snapshotVolumes.set(id, s ? sourceVolumeOf(s) : null);
        } catch (e) {
          if (signal?.aborted) {
            throw e;
          }
          // Not found, not ours, or not readable: the lineage ends here.
          snapshotVolumes.set(id, null);
          core.log(`AWS ${region}: lineage of ${id} not followed (${e instanceof Error ? e.message : String(e)})`);
        }
      }),
    );
  }
}
