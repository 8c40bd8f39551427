/**
 * Serves CloudStack's API at `/client/api` on the sandbox's shared listener: parameters from the
 * query and, for POST, the form body; the signature check (signing.ts) against the server clock
 * (the sandbox clock plus the clock-skew control); fault injection; the answer wrapped as
 * `{"<command>response": …}` in JSON (`response=json`) or XML (CloudStack's default).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockModelError } from '../blocks';
import type { FaultInjector, RegionFault } from '../faults';
import { delay, send, truncate } from '../http';
import { CsError, internal, invalid, limited, serverError, unauthenticated } from './errors';
import { CLOUDSTACK_VERSION } from './shapes';
import { verifySignature } from './signing';
import type { CsState } from './state';
import { findCommand, Params, requestZone } from './wire';

export const CLOUDSTACK_API_PATH = '/client/api';

/** The sandbox account's keys (not secrets: they open only the local sandbox). */
export const SANDBOX_CLOUDSTACK_KEYS = {
  apiKey: 'snapkeeper-sandbox-cloudstack-api-key-not-a-real-key',
  secretKey: 'snapkeeper-sandbox-cloudstack-secret-key-not-a-real-secret',
} as const;

export interface CsRuntime {
  readonly cs: CsState;
  readonly faults: FaultInjector;
  changed(): void;
}

/** XML as CloudStack writes it: one element per member, arrays as repeated elements. */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    return value.map((item) => toXml(name, item)).join('');
  }
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([key, member]) => toXml(key, member))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  const text = String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<${name}>${text}</${name}>`;
}

function answer(res: ServerResponse, status: number, responseName: string, body: unknown, json: boolean, serverNow: number, cut = false): void {
  let text: string;
  let type: string;
  if (json) {
    text = JSON.stringify({ [responseName]: body });
    type = 'application/json; charset=UTF-8';
  } else {
    const inner = Object.entries(body as Record<string, unknown>)
      .map(([key, member]) => toXml(key, member))
      .join('');
    text = `<?xml version="1.0" encoding="UTF-8"?><${responseName} cloud-stack-version="${CLOUDSTACK_VERSION}">${inner}</${responseName}>`;
    type = 'text/xml; charset=UTF-8';
  }
  send(res, status, { 'content-type': type, date: new Date(serverNow).toUTCString() }, cut ? truncate(text) : text);
}

/** A region fault (FaultConfig.regions keyed by zone id or name) as CloudStack's error. */
function zoneFaultError(fault: RegionFault): CsError {
  return new CsError(fault.status, fault.message, fault.status === 431 ? 4350 : 4250);
}

/** Each parameter's first value, by its name as sent (the servlet's `params.get(name)[0]`). */
function firstValues(entries: readonly [string, string][]): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, value] of entries) {
    if (!values.has(name)) {
      values.set(name, value);
    }
  }
  return values;
}

export async function serveCloudStack(runtime: CsRuntime, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
  const entries: [string, string][] = [...url.searchParams.entries()];
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'POST' && body.length > 0) {
    entries.push(...new URLSearchParams(body.toString('utf8')).entries());
  }
  const commandName = entries.find(([name]) => name === 'command')?.[1] ?? '';
  const params = new Params(commandName, entries);
  const json = params.get('response')?.toLowerCase() === 'json';
  const state = runtime.cs;
  const command = findCommand(commandName);
  const responseName = command ? `${commandName.toLowerCase()}response` : 'errorresponse';
  const fail = (error: CsError) => answer(res, error.status, responseName, error.body(), json, state.serverNow());

  const before = state.revision;
  state.sweep();
  if (state.revision !== before) {
    runtime.changed();
  }
  if (method !== 'GET' && method !== 'POST') {
    return fail(invalid(`Unsupported HTTP method ${method}`));
  }
  // An unknown command fails the request check before the signature, as ApiServer.verifyRequest does.
  if (!command || verifySignature(firstValues(entries), SANDBOX_CLOUDSTACK_KEYS, state.serverNow()) !== 'ok') {
    return fail(unauthenticated());
  }

  await delay(runtime.faults.latencyMs());
  const zoneId = requestZone(params);
  const zone = zoneId === undefined ? undefined : state.zones.find((z) => z.id === zoneId);
  const decision = runtime.faults.decide(commandName, zone ? [zone.id, zone.name] : []);
  switch (decision.kind) {
    case 'expired':
      return fail(unauthenticated());
    case 'region':
      return fail(zoneFaultError(decision.fault));
    case 'drop':
      res.socket?.destroy();
      return;
    case 'throttle':
    case 'throttleNoRetryAfter':
      return fail(limited());
    case 'serverError':
      return fail(serverError());
    default:
      break;
  }

  let result: Record<string, unknown>;
  try {
    result = command.run({ state, params, failJob: decision.kind === 'lroFailure' });
  } catch (error) {
    if (error instanceof CsError) {
      return fail(error);
    }
    if (error instanceof BlockModelError) {
      return fail(invalid(error.message));
    }
    return fail(internal(`Internal error executing command: ${(error as Error).message}`));
  } finally {
    if (command.mutating) {
      runtime.changed();
    }
  }
  if (decision.kind === 'dropAfterCommit') {
    res.socket?.destroy();
    return;
  }
  answer(res, 200, responseName, result, json, state.serverNow(), decision.kind === 'malformed');
}
