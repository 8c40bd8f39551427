/**
 * CloudStack's objects as its JSON answers them (lower-case field names; every field optional:
 * CloudStack leaves out what it has no value for, and older versions lack newer fields). Only
 * the fields this adapter reads. Every string in them is untrusted text.
 */

export interface CsTag {
  key?: string;
  value?: string;
  resourcetype?: string;
  resourceid?: string;
}

export interface CsZone {
  id: string;
  name?: string;
  allocationstate?: string;
  networktype?: string;
  description?: string;
}

export interface CsVm {
  id: string;
  name?: string;
  displayname?: string;
  state?: string;
  zoneid?: string;
  zonename?: string;
  serviceofferingname?: string;
  templatename?: string;
  templateid?: string;
  hypervisor?: string;
  osdisplayname?: string;
  ostypeid?: string;
  instancename?: string;
  created?: string;
  tags?: CsTag[];
}

export interface CsVolume {
  id: string;
  name?: string;
  /** ROOT or DATADISK. */
  type?: string;
  state?: string;
  zoneid?: string;
  zonename?: string;
  /** Bytes. */
  size?: number;
  deviceid?: number;
  virtualmachineid?: string;
  vmname?: string;
  vmdisplayname?: string;
  vmstate?: string;
  diskofferingid?: string;
  diskofferingname?: string;
  storage?: string;
  storagetype?: string;
  hypervisor?: string;
  provisioningtype?: string;
  /** The snapshot the volume was created from. */
  snapshotid?: string;
  /** True when the volume's storage wants (supports) quiescing the VM for a snapshot. */
  quiescevm?: boolean;
  encryptformat?: string;
  miniops?: number;
  maxiops?: number;
  created?: string;
  tags?: CsTag[];
}

export interface CsSnapshot {
  id: string;
  name?: string;
  volumeid?: string;
  volumename?: string;
  volumetype?: string;
  /** MANUAL or RECURRING (taken by a snapshot policy). */
  snapshottype?: string;
  /** MANUAL, HOURLY, DAILY, WEEKLY, MONTHLY. */
  intervaltype?: string;
  state?: string;
  zoneid?: string;
  zonename?: string;
  /** Bytes stored on secondary storage. */
  physicalsize?: number;
  /** Bytes: the volume's size. */
  virtualsize?: number;
  /** True when the storage can revert the volume to this snapshot. */
  revertable?: boolean;
  locationtype?: string;
  osdisplayname?: string;
  ostypeid?: string;
  /** The snapshot this one is incremental against, where CloudStack says (KVM incremental mode). */
  parent?: string;
  parentname?: string;
  created?: string;
  tags?: CsTag[];
}

export interface CsVmSnapshot {
  id: string;
  name?: string;
  displayname?: string;
  description?: string;
  state?: string;
  /** Disk or DiskAndMemory. */
  type?: string;
  current?: boolean;
  parent?: string;
  parentName?: string;
  virtualmachineid?: string;
  virtualmachinename?: string;
  zoneid?: string;
  hypervisor?: string;
  created?: string;
  tags?: CsTag[];
}

export interface CsTemplate {
  id: string;
  name?: string;
  displaytext?: string;
  zoneid?: string;
  zonename?: string;
  status?: string;
  isready?: boolean;
  ispublic?: boolean;
  isfeatured?: boolean;
  crossZones?: boolean;
  ostypename?: string;
  format?: string;
  hypervisor?: string;
  /** Bytes. */
  size?: number;
  templatetype?: string;
  arch?: string;
  /** The snapshot it was made from, where CloudStack says. */
  snapshotid?: string;
  /** The volume it was made from, where CloudStack says. */
  volumeid?: string;
  created?: string;
  tags?: CsTag[];
}

export interface CsSnapshotPolicy {
  id: string;
  volumeid?: string;
  /** MM (hourly), MM:HH (daily), MM:HH:DD (weekly: day of week 1–7; monthly: day of month). */
  schedule?: string;
  /** 0 hourly, 1 daily, 2 weekly, 3 monthly (a number, or the word on some versions). */
  intervaltype?: number | string;
  maxsnaps?: number;
  timezone?: string;
  fordisplay?: boolean;
  tags?: CsTag[];
}

export interface CsOsType {
  id: string;
  description?: string;
}

export interface CsDiskOffering {
  id: string;
  name?: string;
  displaytext?: string;
  /** GiB (0 for a custom size). */
  disksize?: number;
  iscustomized?: boolean;
}

export interface CsAsyncJob {
  jobid: string;
  cmd?: string;
  jobstatus?: number;
  jobinstancetype?: string;
  jobinstanceid?: string;
  created?: string;
}

export interface CsCapability {
  cloudstackversion?: string;
}
