/**
 * ARM resource ids and the adapter's scope ids. ARM ids are case-insensitive (a VM's storage
 * profile may spell a disk's resource group in another case than the disk's own id): resources
 * keep their own id, and references are resolved through `idKey`.
 */

export interface ArmId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. `snapshots`, `disks`, `virtualMachines`, `galleries`. */
  type: string;
  name: string;
  /** Nested segments after the name (`images/x/versions/1.0.0`), as [type, name] pairs. */
  children: [string, string][];
}

/** The comparison key of an ARM id (lower case, no trailing slash). */
export function idKey(id: string): string {
  return id.trim().replace(/\/+$/, '').toLowerCase();
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && idKey(a) === idKey(b);
}

/** Parses `/subscriptions/S/resourceGroups/RG/providers/NS/TYPE/NAME[/T2/N2…]`; undefined if not one. */
export function parseArmId(id: string | undefined): ArmId | undefined {
  if (!id) {
    return undefined;
  }
  const parts = id.split('/').filter((p) => p !== '');
  if (parts.length < 8 || parts[0].toLowerCase() !== 'subscriptions' || parts[2].toLowerCase() !== 'resourcegroups' || parts[4].toLowerCase() !== 'providers') {
    return undefined;
  }
  const children: [string, string][] = [];
  for (let i = 8; i + 1 < parts.length; i += 2) {
    children.push([parts[i], parts[i + 1]]);
  }
  return { subscriptionId: parts[1], resourceGroup: parts[3], type: parts[6], name: parts[7], children };
}

export function resourceGroupOf(id: string | undefined): string | undefined {
  return parseArmId(id)?.resourceGroup;
}

export function subscriptionOf(id: string | undefined): string | undefined {
  return parseArmId(id)?.subscriptionId;
}

export function armId(subscriptionId: string, resourceGroup: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/${type}/${name}`;
}

/** A location as ARM spells it in ids and `location` fields: `eastus`. */
export function normLocation(location: string | undefined): string {
  return (location ?? '').replace(/\s+/g, '').toLowerCase();
}

/** Leaf scope id: `<subscriptionId>/<location>`. */
export function leafScopeId(subscriptionId: string, location: string): string {
  return `${subscriptionId}/${normLocation(location)}`;
}

/** Splits a scope id into subscription and (for leaf scopes) location. */
export function splitScopeId(scopeId: string): { subscriptionId: string; location?: string } {
  const i = scopeId.indexOf('/');
  return i < 0 ? { subscriptionId: scopeId } : { subscriptionId: scopeId.slice(0, i), location: scopeId.slice(i + 1) };
}

/**
 * Case-insensitive lookup of canonical ids: `canonical(ref)` gives the id as the resource itself
 * spells it, when the resource is known.
 */
export class IdIndex {
  private readonly map = new Map<string, string>();

  add(id: string | undefined): void {
    if (id) {
      this.map.set(idKey(id), id);
    }
  }

  canonical(ref: string | undefined): string | undefined {
    if (!ref) {
      return undefined;
    }
    return this.map.get(idKey(ref)) ?? ref;
  }

  has(ref: string | undefined): boolean {
    return ref !== undefined && this.map.has(idKey(ref));
  }
}
