/**
 * Azure adapter, pure parts: mapping of SDK-shaped objects (the REST spec examples' fields,
 * flattened as @azure/arm-compute deserializes them), case-insensitive id resolution, the
 * listing's snapshot hints, name rules, plans' refusals and confirmations.
 */
import * as assert from 'node:assert/strict';
import type { Disk as ArmDisk, Image as ArmImage, Snapshot as ArmSnapshot, VirtualMachine } from '@azure/arm-compute';
import { copyRefusal, encryptionOf } from '../../src/adapters/azure/actions';
import { idKey, IdIndex, leafScopeId, parseArmId, splitScopeId } from '../../src/adapters/azure/ids';
import { buildInventory } from '../../src/adapters/azure/inventory';
import { label, mapSnapshot, powerState } from '../../src/adapters/azure/map';
import { checkName, isValidName, stamp, toArmTags, validName } from '../../src/adapters/azure/names';
import { actionsFor, deleteBlocker, planAction, refusalFor } from '../../src/adapters/azure/plans';
import { formatDate } from '../../src/model/units';
import type { AzureCore } from '../../src/adapters/azure/core';
import { isCloudError } from '../../src/model/errors';

const SUB = '11111111-2222-3333-4444-555555555555';
const RG = 'rg-App';
const id = (type: string, name: string, rg = RG): string => `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/${type}/${name}`;

function vm(): VirtualMachine {
  return {
    id: id('virtualMachines', 'web-1'),
    name: 'web-1',
    location: 'eastus',
    hardwareProfile: { vmSize: 'Standard_D2s_v5' },
    storageProfile: {
      // The VM spells the resource group in upper case: resolved onto the disks' own ids.
      osDisk: { osType: 'Linux', createOption: 'FromImage', managedDisk: { id: id('disks', 'web-1-os', 'RG-APP') } },
      dataDisks: [
        { lun: 2, createOption: 'Attach', managedDisk: { id: id('disks', 'web-1-data2', 'rg-app') } },
        { lun: 0, createOption: 'Empty', managedDisk: { id: id('disks', 'web-1-data0') } },
      ],
    },
    provisioningState: 'Succeeded',
  };
}

function disk(name: string, extra: Partial<ArmDisk> = {}): ArmDisk {
  return {
    id: id('disks', name),
    name,
    location: 'eastus',
    sku: { name: 'Premium_LRS' },
    diskSizeGB: 64,
    creationData: { createOption: 'Empty' },
    provisioningState: 'Succeeded',
    diskState: 'Attached',
    encryption: { type: 'EncryptionAtRestWithPlatformKey' },
    ...extra,
  };
}

function snap(name: string, extra: Partial<ArmSnapshot> = {}): ArmSnapshot {
  return {
    id: id('snapshots', name),
    name,
    location: 'eastus',
    sku: { name: 'Standard_LRS' },
    diskSizeGB: 64,
    incremental: true,
    incrementalSnapshotFamilyId: 'fam-1',
    creationData: { createOption: 'Copy', sourceResourceId: id('disks', 'WEB-1-OS', 'RG-APP') },
    provisioningState: 'Succeeded',
    diskState: 'Unattached',
    osType: 'Linux',
    timeCreated: new Date('2026-11-20T10:00:00Z'),
    ...extra,
  };
}

const status = (power: string, extra: string[] = []): VirtualMachine => ({
  location: 'eastus',
  id: id('virtualMachines', 'WEB-1'),
  instanceView: { statuses: [{ code: 'ProvisioningState/succeeded' }, { code: `PowerState/${power}` }, ...extra.map((code) => ({ code }))] },
});

describe('azure ids', () => {
  it('parses ARM ids and scope ids', () => {
    const p = parseArmId(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1/images/img/versions/1.0.0`);
    assert.equal(p?.resourceGroup, 'rg');
    assert.equal(p?.type, 'galleries');
    assert.deepEqual(p?.children, [['images', 'img'], ['versions', '1.0.0']]);
    assert.equal(parseArmId('/not/an/id'), undefined);
    assert.equal(leafScopeId(SUB, 'East US'), `${SUB}/eastus`);
    assert.deepEqual(splitScopeId(`${SUB}/westeurope`), { subscriptionId: SUB, location: 'westeurope' });
  });

  it('resolves references case-insensitively onto the canonical id', () => {
    const ids = new IdIndex();
    ids.add(id('disks', 'Data'));
    assert.equal(ids.canonical(id('disks', 'DATA', 'RG-APP')), id('disks', 'Data'));
    assert.equal(idKey(`${id('disks', 'x')}/`), id('disks', 'x').toLowerCase());
  });
});

describe('azure mapping', () => {
  const inv = buildInventory(
    [vm()],
    [status('running')],
    [disk('web-1-os', { osType: 'Linux', managedBy: id('virtualMachines', 'WEB-1') }), disk('web-1-data0'), disk('web-1-data2'), disk('spare', { diskState: 'Unattached', encryption: { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: id('diskEncryptionSets', 'des-1') } })],
    [
      snap('s1'),
      snap('s1-copy', {
        location: 'westus',
        creationData: { createOption: 'CopyStart', sourceResourceId: id('snapshots', 'S1') },
        incrementalSnapshotFamilyId: 'fam-2',
        completionPercent: 40,
      }),
      snap('full', { incremental: false, incrementalSnapshotFamilyId: undefined, diskState: 'ActiveSAS', osType: undefined, creationData: { createOption: 'Copy', sourceResourceId: id('disks', 'web-1-data0') } }),
    ],
    [
      {
        id: id('images', 'img-1'),
        name: 'img-1',
        location: 'eastus',
        provisioningState: 'Succeeded',
        storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized', snapshot: { id: id('snapshots', 'S1') } } },
      } as ArmImage,
    ],
    [],
    (sid) => (sid.toLowerCase().endsWith('/full') ? '2099-01-01T00:00:00.000Z' : undefined),
  );

  it('maps a VM: size, boot disk first then data disks by LUN, power state from the status listing', () => {
    const v = inv.vms[0];
    assert.equal(v.machineType, 'Standard_D2s_v5');
    assert.deepEqual(v.diskIds, [id('disks', 'web-1-os'), id('disks', 'web-1-data0'), id('disks', 'web-1-data2')]);
    assert.equal(v.bootDiskId, id('disks', 'web-1-os'));
    assert.equal(v.state, 'running');
    assert.equal(v.phase, 'ready');
    assert.equal(v.scopeId, `${SUB}/eastus`);
    assert.equal(v.idLabel, RG);
    assert.ok(v.details?.some((d) => d.label === 'Resource group' && d.value === RG));
  });

  it('maps disks: attachments from the VM (boot for the OS disk), encryption details, DES as kmsKeyId', () => {
    const os = inv.disks.find((d) => d.name === 'web-1-os');
    assert.deepEqual(os?.attachments, [{ vmId: id('virtualMachines', 'web-1'), device: 'OS disk', boot: true }]);
    const data2 = inv.disks.find((d) => d.name === 'web-1-data2');
    assert.deepEqual(data2?.attachments, [{ vmId: id('virtualMachines', 'web-1'), device: 'LUN 2', boot: false }]);
    const spare = inv.disks.find((d) => d.name === 'spare');
    assert.equal(spare?.encrypted, true);
    assert.equal(spare?.kmsKeyId, id('diskEncryptionSets', 'des-1'));
    assert.ok(spare?.details?.some((d) => d.label === 'Encryption type' && d.value === 'Customer-managed key'));
    assert.ok(spare?.details?.some((d) => d.label === 'Disk encryption set' && d.value === 'des-1'));
    assert.equal(spare?.attachments.length, 0);
  });

  it('maps snapshots: source disk, chain, copy source and its location, progress, export', () => {
    const s1 = inv.snapshots.find((s) => s.name === 's1');
    assert.equal(s1?.diskId, id('disks', 'web-1-os'));
    assert.equal(s1?.chainId, 'fam-1');
    assert.equal(s1?.incremental, true);
    assert.equal(s1?.phase, 'ready');
    assert.equal(s1?.storageTier, 'Standard_LRS');
    assert.deepEqual(s1?.az.copyFromInProgress, ['s1-copy']);
    assert.equal(s1?.az.attachedTo?.[0]?.running, true);
    const copy = inv.snapshots.find((s) => s.name === 's1-copy');
    assert.equal(copy?.copiedFromId, id('snapshots', 's1'));
    assert.equal(copy?.copiedFromScopeId, `${SUB}/eastus`);
    assert.equal(copy?.scopeId, `${SUB}/westus`);
    assert.equal(copy?.phase, 'pending');
    assert.equal(copy?.progress, 40);
    assert.equal(copy?.diskId, undefined);
    const full = inv.snapshots.find((s) => s.name === 'full');
    assert.deepEqual(full?.export, { until: '2099-01-01T00:00:00.000Z' });
    assert.equal(full?.incremental, false);
  });

  it('maps managed images with their snapshots', () => {
    assert.deepEqual(inv.images[0].snapshotIds, [id('snapshots', 's1')]);
    assert.equal(inv.images[0].description, 'Managed image');
  });

  it('reads the power state and generalized state', () => {
    assert.equal(powerState({ statuses: [{ code: 'PowerState/deallocated' }] }), 'deallocated');
    const g = buildInventory([vm()], [status('deallocated', ['OSState/generalized'])], [], [], [], []);
    assert.equal(g.vms[0].az.generalized, true);
    assert.equal(g.vms[0].az.power, 'deallocated');
  });

  it('offers actions by state: restore in place when attached, image from OS snapshots, revoke when exported', () => {
    const s1 = inv.snapshots.find((s) => s.name === 's1');
    const full = inv.snapshots.find((s) => s.name === 'full');
    const copy = inv.snapshots.find((s) => s.name === 's1-copy');
    assert.ok(s1 && full && copy);
    assert.deepEqual(actionsFor(s1, false), ['restoreToNewDisk', 'restoreInPlace', 'createImageFromSnapshot', 'copySnapshot', 'exportSnapshot', 'editTags', 'deleteSnapshot']);
    assert.ok(actionsFor(full, false).includes('revokeExport'));
    assert.ok(!actionsFor(full, false).includes('createImageFromSnapshot'));
    assert.deepEqual(actionsFor(copy, false), ['editTags', 'deleteSnapshot']);
    assert.ok(!actionsFor(inv.disks[0], false).includes('simulateWrites'));
    assert.ok(actionsFor(inv.disks[0], true).includes('simulateWrites'));
  });

  it('refuses deleting a snapshot with an open export or a copy in progress from it', () => {
    const s1 = inv.snapshots.find((s) => s.name === 's1');
    const full = inv.snapshots.find((s) => s.name === 'full');
    assert.match(deleteBlocker(full!) ?? '', /open export.*Revoke Access first/);
    assert.match(deleteBlocker(s1!) ?? '', /Copy s1-copy is still being made/);
  });

  it('names an open export\'s end as a date a person reads, not as ISO text', () => {
    const full = inv.snapshots.find((s) => s.name === 'full');
    const until = '2031-05-06T07:08:09.000Z';
    const text = deleteBlocker({ ...full!, export: { until } }) ?? '';
    assert.ok(!text.includes(until) && !/\d{4}-\d\d-\d\dT/.test(text), text);
    assert.ok(text.includes(formatDate(until)), text);
  });

  it('enforces the cross-region copy rules', () => {
    const s1 = inv.snapshots.find((s) => s.name === 's1')!;
    const full = inv.snapshots.find((s) => s.name === 'full')!;
    assert.equal(copyRefusal(full, 'eastus'), undefined);
    assert.match(copyRefusal(full, 'westus') ?? '', /only from incremental snapshots.*full copy in eastus/);
    // s1-copy (CopyStart from s1) is still running: the disk's family is busy.
    assert.match(copyRefusal(s1, 'westus') ?? '', /one cross-region copy per disk.*s1-copy/);
    const idle = { ...s1, az: { ...s1.az, copiesInProgress: [] } };
    assert.equal(copyRefusal(idle, 'westus'), undefined);
  });

  it('labels with the resource group, and hostile names stay text', () => {
    const hostile = mapSnapshot(snap(`<img onerror=x>&`), new IdIndex());
    assert.equal(hostile.name, '<img onerror=x>&');
    assert.equal(label({ id: id('snapshots', 'a'), name: 'a' }), `a (${RG})`);
  });
});

describe('azure names, tags, encryption', () => {
  it('follows Azure name rules', () => {
    assert.ok(isValidName('disk-1_b.c_'));
    assert.ok(!isValidName('-disk'));
    assert.ok(!isValidName('disk.'));
    assert.ok(!isValidName('a'.repeat(81)));
    assert.ok(isValidName(validName('<evil> disk!!', stamp())));
    assert.ok(isValidName(validName('x'.repeat(200), stamp())));
    assert.ok(isValidName(validName('...', 'copy')));
    assert.match(validName('web-1-os', '20261122-0930'), /^web-1-os-20261122-0930$/);
    assert.throws(() => checkName('bad name', 'Snapshot'), (e: unknown) => isCloudError(e) && e.kind === 'invalid');
  });

  it('checks tags', () => {
    assert.deepEqual(toArmTags([{ key: 'env', value: 'prod' }]), { env: 'prod' });
    assert.throws(() => toArmTags([{ key: 'a/b', value: '' }]), (e: unknown) => isCloudError(e) && e.kind === 'invalid');
    assert.throws(() => toArmTags([{ key: 'k', value: 'v'.repeat(257) }]), (e: unknown) => isCloudError(e) && e.kind === 'invalid');
  });

  it('builds the encryption of new disks and snapshots', () => {
    const des = id('diskEncryptionSets', 'des-1');
    assert.equal(encryptionOf('source', {}), undefined);
    assert.deepEqual(encryptionOf('source', { encryptionType: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: des }), { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: des });
    assert.deepEqual(encryptionOf('platform', { diskEncryptionSetId: des }), { type: 'EncryptionAtRestWithPlatformKey' });
    assert.deepEqual(encryptionOf(des, {}), { type: 'EncryptionAtRestWithCustomerKey', diskEncryptionSetId: des });
    assert.throws(() => encryptionOf(id('disks', 'x'), {}));
  });
});

describe('azure plans', () => {
  const core = { sandbox: undefined, log: () => undefined, translate: (e: unknown) => e, compute: () => { throw new Error('no calls'); }, call: (fn: () => Promise<unknown>) => fn() } as unknown as AzureCore;
  const related = { inventory: { vms: [], disks: [], snapshots: [], images: [] }, scopes: [] };

  it('refuses an image from a VM that is not generalized, explaining how', async () => {
    const inv = buildInventory([vm()], [status('running')], [], [], [], []);
    const plan = await planAction(core, 'createImageFromVm', inv.vms[0], related);
    assert.match(plan.refusal ?? '', /not generalized.*sysprep.*waagent/);
  });

  it('confirms restore in place naming the VM, the disk replaced and the deallocation', async () => {
    const inv = buildInventory([vm()], [status('running')], [disk('web-1-os')], [snap('s1')], [], []);
    const plan = await planAction(core, 'restoreInPlace', inv.snapshots[0], { inventory: inv, scopes: [] });
    assert.equal(plan.refusal, undefined);
    const c = plan.confirm?.({});
    assert.match(c?.message ?? '', /OS disk of VM web-1/);
    assert.match(c?.detail ?? '', /DEALLOCATED.*web-1-os.*kept, detached/s);
  });

  it('confirms delete naming the size and that restored disks are unaffected', async () => {
    const inv = buildInventory([], [], [], [snap('s1')], [], []);
    const plan = await planAction(core, 'deleteSnapshot', inv.snapshots[0], { inventory: inv, scopes: [] });
    const c = plan.confirm?.({});
    assert.match(c?.detail ?? '', /64 GiB.*Disks already restored from it are not affected/s);
  });

  it('explains refusals of actions not offered', () => {
    const inv = buildInventory([], [], [], [snap('s1', { osType: undefined, creationData: { createOption: 'Copy', sourceResourceId: id('disks', 'gone') } })], [], []);
    assert.match(refusalFor('restoreInPlace', inv.snapshots[0]), /not attached to a VM/);
    assert.match(refusalFor('createImageFromSnapshot', inv.snapshots[0]), /not of an OS disk/);
  });
});
