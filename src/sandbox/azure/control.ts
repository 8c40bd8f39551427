/** The `/_sandbox/azure/…` control endpoints and the Azure part of the state summary. */
import { field } from '../backend';
import { ArmError } from './errors';
import { benchmarkEstate } from './seed';
import type { AzureState, LroStyle } from './state';

/** Counts per subscription, the page size and the LRO styles. */
export function azureSummary(azure: AzureState) {
  return { tenantId: azure.tenant.id, subscriptions: azure.counts(), pageSize: azure.settings.pageSize, lroStyles: azure.settings.lroStyles };
}

/** What the block model says about one snapshot (full ARM id). */
export function azureSnapshotFacts(azure: AzureState, id: string) {
  const snap = azure.snapshot(id);
  const blocks = azure.blocks.getSnapshot(snap.uniqueId);
  const parent = blocks?.parent === undefined ? undefined : [...azure.snapshots.values()].find((s) => s.uniqueId === blocks.parent);
  return {
    snapshotId: snap.id,
    location: snap.location,
    sourceResourceId: snap.creationData.sourceResourceId ?? null,
    incrementalSnapshotFamilyId: snap.familyId ?? null,
    storedBytes: azure.storedBytes(snap.id),
    fullBytes: azure.blocks.fullBytes(snap.uniqueId),
    parentSnapshotId: parent?.id ?? null,
    deleteImpact: azure.deleteImpact(snap.id),
  };
}

/** Handles /_sandbox/azure/… (undefined when no endpoint matches); `changed` marks the state dirty and passes its value through. */
export function azureControlRoute(azure: AzureState, method: string, url: URL, input: unknown, changed: <T>(value: T) => T): unknown {
  const path = url.pathname;
  if (method === 'POST' && path === '/_sandbox/azure/writes') {
    return changed({ blocksWritten: azure.writeMiB(field(input, 'diskId', 'string'), field(input, 'mib', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/azure/bulk-snapshots') {
    return changed({ snapshotIds: azure.bulkSnapshots(field(input, 'diskId', 'string'), field(input, 'count', 'number')) });
  }
  if (method === 'POST' && path === '/_sandbox/azure/subscriptions') {
    const each = (input as { snapshotsEach?: unknown }).snapshotsEach;
    return changed({ subscriptionIds: benchmarkEstate(azure, field(input, 'count', 'number'), typeof each === 'number' ? each : 0) });
  }
  if (method === 'PUT' && path === '/_sandbox/azure/lro-style') {
    const operation = (input as { operation?: unknown }).operation;
    azure.setLroStyle(field(input, 'style', 'string') as LroStyle, typeof operation === 'string' ? operation : undefined);
    return changed({ lroStyles: azure.settings.lroStyles });
  }
  if (method === 'PUT' && path === '/_sandbox/azure/page-size') {
    azure.setPageSize(field(input, 'pageSize', 'number'));
    return changed({ pageSize: azure.settings.pageSize });
  }
  if (method === 'GET' && path === '/_sandbox/azure/snapshots') {
    return azureSnapshotFacts(azure, url.searchParams.get('id') ?? '');
  }
  return undefined;
}

/** A control route's ARM error, as ARM writes it. */
export function azureErrorAnswer(error: unknown): { status: number; body: unknown } | undefined {
  return error instanceof ArmError ? { status: error.status, body: error.body() } : undefined;
}
