/**
 * The EBS direct APIs (REST JSON, signing name `ebs`): ListSnapshotBlocks, ListChangedBlocks and
 * GetSnapshotBlock over the block model. Errors carry `x-amzn-ErrorType` and a
 * `{"Message","Reason"}` body, as the EBS service model describes.
 */
import { createHash } from 'node:crypto';
import { BLOCK_SIZE } from '../blocks';
import { Ec2Error } from './errors';
import type { AwsState, SnapshotRecord } from './state';

export interface EbsResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export class EbsError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** Block tokens stay valid this long (reported as ExpiryTime). */
const TOKEN_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** botocore `data/ebs/2019-11-02/service-2.json`: MaxResults min 100, max 10000 (a modelled constraint: outside it, ValidationException). */
const MAX_RESULTS = { min: 100, max: 10000 };

export function ebsErrorResponse(error: EbsError, requestId: string): EbsResponse {
  const body: Record<string, string> = { Message: error.message };
  if (error.reason) {
    body.Reason = error.reason;
  }
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': requestId,
    },
    body: JSON.stringify(body),
  };
}

function validation(message: string, reason: string): EbsError {
  return new EbsError('ValidationException', 400, message, reason);
}

function json(value: unknown, requestId: string): EbsResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId },
    body: JSON.stringify(value),
  };
}

function blockToken(snapshotId: string, index: number, content: number): string {
  return Buffer.from(`${snapshotId}:${index}:${content}`, 'utf8').toString('base64');
}

function parseBlockToken(token: string): { snapshotId: string; index: number; content: number } | undefined {
  const match = /^(snap-[0-9a-f]+):(\d+):(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  return match ? { snapshotId: match[1], index: Number(match[2]), content: Number(match[3]) } : undefined;
}

function pageToken(snapshotId: string, nextIndex: number): string {
  return Buffer.from(`${snapshotId}@${nextIndex}`, 'utf8').toString('base64');
}

function startIndex(query: URLSearchParams, snapshotId: string): number {
  const token = query.get('pageToken');
  if (token) {
    const match = /^(snap-[0-9a-f]+)@(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!match || match[1] !== snapshotId) {
      throw validation('The pagination token is not valid.', 'INVALID_PAGE_TOKEN');
    }
    return Number(match[2]);
  }
  const starting = query.get('startingBlockIndex');
  if (starting === null) {
    return 0;
  }
  if (!/^\d+$/.test(starting)) {
    throw validation(`Invalid value '${starting}' for startingBlockIndex.`, 'INVALID_PARAMETER_VALUE');
  }
  return Number(starting);
}

function maxResults(query: URLSearchParams): number {
  const raw = query.get('maxResults');
  if (raw === null) {
    return MAX_RESULTS.max;
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= MAX_RESULTS.min && value <= MAX_RESULTS.max)) {
    throw validation(
      `1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: ` +
        `Member must have value between ${MAX_RESULTS.min} and ${MAX_RESULTS.max}`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  return value;
}

function completedSnapshot(state: AwsState, region: string, snapshotId: string): SnapshotRecord {
  let snap: SnapshotRecord;
  try {
    snap = state.snapshot(region, snapshotId);
  } catch (error) {
    if (error instanceof Ec2Error && error.code.endsWith('Malformed')) {
      throw validation(`The snapshot ID '${snapshotId}' is not valid.`, 'INVALID_SNAPSHOT_ID');
    }
    throw new EbsError('ResourceNotFoundException', 404, `The snapshot '${snapshotId}' does not exist.`, 'SNAPSHOT_NOT_FOUND');
  }
  if (state.snapshotStatus(snap).status !== 'completed') {
    throw validation(`The snapshot '${snapshotId}' is not in the completed state.`, 'INVALID_SNAPSHOT_ID');
  }
  return snap;
}

/** The members every EBS list response carries: token expiry, volume size (GiB), block size. */
function header(state: AwsState, snap: SnapshotRecord) {
  return {
    ExpiryTime: (state.now() + TOKEN_LIFETIME_MS) / 1000,
    VolumeSize: snap.volumeSize,
    BlockSize: BLOCK_SIZE,
  };
}

/** A page from a sorted index list: the indices ≥ start, at most `max`, and the next token. */
function pageOf(indices: number[], start: number, max: number, snapshotId: string): { page: number[]; next?: string } {
  let from = 0;
  while (from < indices.length && indices[from] < start) {
    from++;
  }
  const page = indices.slice(from, from + max);
  const more = from + max < indices.length;
  return { page, next: more ? pageToken(snapshotId, indices[from + max]) : undefined };
}

function listSnapshotBlocks(state: AwsState, region: string, snapshotId: string, query: URLSearchParams, requestId: string): EbsResponse {
  const snap = completedSnapshot(state, region, snapshotId);
  const max = maxResults(query);
  const start = startIndex(query, snap.id);
  const { page, next } = pageOf(state.blocks.nonZeroBlocks(snap.id), start, max, snap.id);
  return json(
    {
      Blocks: page.map((index) => ({
        BlockIndex: index,
        BlockToken: blockToken(snap.id, index, state.blocks.blockContent(snap.id, index) ?? 0),
      })),
      ...header(state, snap),
      NextToken: next,
    },
    requestId,
  );
}

function listChangedBlocks(state: AwsState, region: string, secondId: string, query: URLSearchParams, requestId: string): EbsResponse {
  const second = completedSnapshot(state, region, secondId);
  const firstId = query.get('firstSnapshotId');
  const first = firstId ? completedSnapshot(state, region, firstId) : undefined;
  if (first && !state.blocks.related(first.id, second.id)) {
    throw validation(
      `The snapshots '${first.id}' and '${second.id}' are not of the same volume lineage.`,
      'UNRELATED_SNAPSHOTS',
    );
  }
  const max = maxResults(query);
  const start = startIndex(query, second.id);
  const changed = first ? state.blocks.changedBlocks(first.id, second.id) : state.blocks.nonZeroBlocks(second.id);
  const { page, next } = pageOf(changed, start, max, second.id);
  return json(
    {
      ChangedBlocks: page.map((index) => {
        const before = first ? state.blocks.blockContent(first.id, index) : undefined;
        const after = state.blocks.blockContent(second.id, index);
        return {
          BlockIndex: index,
          FirstBlockToken: first && before !== undefined ? blockToken(first.id, index, before) : undefined,
          SecondBlockToken: after !== undefined ? blockToken(second.id, index, after) : undefined,
        };
      }),
      ...header(state, second),
      NextToken: next,
    },
    requestId,
  );
}

/** The 512 KiB of a block: deterministic bytes derived from its content id. */
export function blockData(content: number): Buffer {
  const data = Buffer.alloc(BLOCK_SIZE);
  const seed = createHash('sha256').update(`block-content-${content}`).digest();
  for (let offset = 0; offset < BLOCK_SIZE; offset += seed.length) {
    seed.copy(data, offset);
  }
  return data;
}

function getSnapshotBlock(state: AwsState, region: string, snapshotId: string, index: number, query: URLSearchParams, requestId: string): EbsResponse {
  const snap = completedSnapshot(state, region, snapshotId);
  const token = parseBlockToken(query.get('blockToken') ?? '');
  const content = state.blocks.blockContent(snap.id, index);
  if (!token || token.snapshotId !== snap.id || token.index !== index || token.content !== content) {
    throw validation('The block token is not valid for this block.', 'INVALID_BLOCK_TOKEN');
  }
  const data = blockData(token.content);
  return {
    status: 200,
    headers: {
      'content-type': 'application/octet-stream',
      'x-amz-data-length': String(data.length),
      'x-amz-checksum': createHash('sha256').update(data).digest('base64'),
      'x-amz-checksum-algorithm': 'SHA256',
      'x-amzn-requestid': requestId,
    },
    body: data,
  };
}

/** Names the EBS operation a path stands for (for fault targeting), or undefined. */
export function ebsOperation(method: string, path: string): string | undefined {
  if (method !== 'GET') {
    return undefined;
  }
  if (/^\/snapshots\/[^/]+\/blocks$/.test(path)) {return 'ListSnapshotBlocks';}
  if (/^\/snapshots\/[^/]+\/changedblocks$/.test(path)) {return 'ListChangedBlocks';}
  if (/^\/snapshots\/[^/]+\/blocks\/\d+$/.test(path)) {return 'GetSnapshotBlock';}
  return undefined;
}

/** Handles one EBS direct API request (path already percent-decoded). */
export function handleEbs(
  state: AwsState,
  region: string,
  method: string,
  path: string,
  query: URLSearchParams,
  requestId: string,
): EbsResponse {
  try {
    state.settle();
    const parts = path.split('/').filter((p) => p !== '');
    const operation = ebsOperation(method, path);
    switch (operation) {
      case 'ListSnapshotBlocks':
        return listSnapshotBlocks(state, region, parts[1], query, requestId);
      case 'ListChangedBlocks':
        return listChangedBlocks(state, region, parts[1], query, requestId);
      case 'GetSnapshotBlock':
        return getSnapshotBlock(state, region, parts[1], Number(parts[3]), query, requestId);
      default:
        throw new EbsError('UnknownOperationException', 404, `No EBS operation matches ${method} ${path}.`);
    }
  } catch (error) {
    if (error instanceof EbsError) {
      return ebsErrorResponse(error, requestId);
    }
    console.error('[snapkeeper sandbox] EBS internal error', error);
    return ebsErrorResponse(new EbsError('InternalServerException', 500, 'An internal error has occurred.'), requestId);
  }
}
