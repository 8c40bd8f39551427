import assert from 'node:assert/strict';
import { AccountStore, type KeyValueStore } from '../../src/core/accounts';
import { isAsked, statusText, validateField } from '../../src/core/fields';
import { AccountSession } from '../../src/core/session';
import { CloudError } from '../../src/model/errors';
import { linkedAbort } from '../../src/model/abort';
import { Limiter } from '../../src/model/limit';
import { SharedListings } from '../../src/model/listings';
import type { AccountConfig, Disk, FieldValues, Scope } from '../../src/model/types';
import { fakeAccount, fakeAdapter } from './fakes';

class MemoryStore implements KeyValueStore {
  data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

const account: AccountConfig = fakeAccount;

function disk(id: string, scopeId: string): Disk {
  return { kind: 'disk', id, scopeId, state: 'available', phase: 'ready', tags: [], sizeGiB: 8, encrypted: false, attachments: [] };
}


const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Limiter', () => {
  it('never runs more than max tasks at once, even as tasks finish and new ones arrive', async () => {
    const lim = new Limiter(3);
    let active = 0;
    let peak = 0;
    const task = async (ms: number) => {
      active++;
      peak = Math.max(peak, active);
      await tick(ms);
      active--;
    };
    const all: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      all.push(lim.run(() => task(1 + (i % 4))));
      if (i % 5 === 0) {
        await tick(2);
      }
    }
    await Promise.all(all);
    assert.equal(peak, 3);
    assert.equal(lim.running, 0);
  });
});

describe('linkedAbort', () => {
  const waitAbort = (signal: AbortSignal): Promise<never> =>
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped by the group')), { once: true }));

  it('the first failure stops the other listings and is what the group rejects with', async () => {
    const group = linkedAbort(new AbortController().signal);
    const sibling = waitAbort(group.signal);
    await assert.rejects(group.all([Promise.reject(new Error('region failed')), sibling]), /region failed/);
    assert.equal(group.signal.aborted, true);
  });

  it("the caller's abort reaches the listings, and its reason wins over the errors it caused", async () => {
    const outer = new AbortController();
    const group = linkedAbort(outer.signal);
    const p = group.all([waitAbort(group.signal), waitAbort(group.signal)]);
    outer.abort(new Error('the user collapsed the tree'));
    await assert.rejects(p, /collapsed the tree/);
    assert.deepEqual(await linkedAbort(new AbortController().signal).all([Promise.resolve(1), Promise.resolve('a')]), [1, 'a']);
  });
});

describe('SharedListings', () => {
  it('shares a running listing, reuses a finished one for a while, and lists again after invalidate', async () => {
    let runs = 0;
    const listings = new SharedListings<number>(async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 20));
      return runs;
    }, 1000);
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([listings.get('sub', signal), listings.get('sub', signal)]);
    assert.deepEqual([a, b, runs], [1, 1, 1], 'two callers at once share one run');
    assert.equal(await listings.get('sub', signal), 1, 'a finished listing is reused');
    assert.equal(await listings.get('other', signal), 2, 'another key lists on its own');
    listings.invalidate('sub');
    assert.equal(await listings.get('sub', signal), 3, 'invalidate forgets the finished listing');
  });

  it("a caller's abort rejects only its wait; the run stops when its last waiter gives up", async () => {
    const seen: AbortSignal[] = [];
    const listings = new SharedListings<string>(
      (_key, signal) =>
        new Promise((resolve, reject) => {
          seen.push(signal);
          const t = setTimeout(() => resolve('done'), 50);
          signal.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new Error('stopped'));
          });
        }),
    );
    const first = new AbortController();
    const second = new AbortController();
    const p1 = listings.get('k', first.signal);
    const p2 = listings.get('k', second.signal);
    first.abort(new Error('first gave up'));
    await assert.rejects(p1, /first gave up/);
    assert.equal(await p2, 'done', 'the other waiter still gets the listing');
    assert.equal(seen[0].aborted, false);
    const third = new AbortController();
    const p3 = listings.get('fresh', third.signal);
    third.abort(new Error('gone'));
    await assert.rejects(p3, /gone/);
    assert.equal(seen[1].aborted, true, 'the run was stopped when its only waiter left');
  });
});

describe('AccountStore', () => {
  it('adds, dedupes by cloud+settings, removes, and drops malformed entries', async () => {
    const kv = new MemoryStore();
    const store = new AccountStore(kv);
    const a = await store.add({ cloud: 'aws', label: 'dev', settings: { profile: 'dev' } });
    const again = await store.add({ cloud: 'aws', label: 'dev again', settings: { profile: 'dev' } });
    assert.equal(again.id, a.id);
    await store.add({ cloud: 'aws', label: 'Sandbox', sandbox: true, settings: {} });
    assert.equal(store.list().length, 2);
    kv.data.set('snapkeeper.accounts', [...store.list(), { id: 1 }, null, { id: 'x', cloud: 'nope', label: 'y', settings: {} }]);
    assert.equal(store.list().length, 2);
    await store.remove(a.id);
    assert.deepEqual(
      store.list().map((x) => x.label),
      ['Sandbox'],
    );
  });

  it('updates settings, and the scopes shown do not make an account a different one', async () => {
    const store = new AccountStore(new MemoryStore());
    const a = await store.add({ cloud: 'azure', label: 'Contoso', settings: { auth: 'cli', tenantId: 't1' } });
    const updated = await store.updateSettings(a.id, { ...a.settings, scopes: 's1,s2' });
    assert.equal(updated?.settings.scopes, 's1,s2');
    assert.equal(store.get(a.id)?.settings.scopes, 's1,s2');
    const again = await store.add({ cloud: 'azure', label: 'Contoso again', settings: { auth: 'cli', tenantId: 't1' } });
    assert.equal(again.id, a.id, 'adding the same sign-in again finds the existing account');
    assert.equal(await store.updateSettings('nope', {}), undefined);
  });
});

describe('fields', () => {
  it('asks a field only when its askIf answer matches', () => {
    const f = { id: 'kms', kind: 'text' as const, title: 'Key', askIf: { field: 'encrypted', in: [true] } };
    assert.equal(isAsked(f, { encrypted: true }), true);
    assert.equal(isAsked(f, { encrypted: false }), false);
    assert.equal(isAsked(f, {}), false, 'not asked when the field it depends on was not asked');
    assert.equal(isAsked({ id: 'x', kind: 'text', title: 'X' }, {}), true);
  });
  it('checks a number against earlier answers', () => {
    const f = { id: 'iops', kind: 'number' as const, title: 'IOPS', min: 100, check: (n: number, e: FieldValues) => (n > 50 * Number(e.sizeGiB) ? `At most ${50 * Number(e.sizeGiB)} for ${String(e.sizeGiB)} GiB` : undefined) };
    assert.equal(validateField(f, '500', { sizeGiB: 10 }), undefined);
    assert.equal(validateField(f, '501', { sizeGiB: 10 }), 'At most 500 for 10 GiB');
  });
  it('validates numbers against min, max and integer', () => {
    const f = { id: 'size', kind: 'number' as const, title: 'Size', min: 8, max: 16384, integer: true };
    assert.equal(validateField(f, '8'), undefined);
    assert.match(validateField(f, '7') ?? '', /At least 8/);
    assert.match(validateField(f, '8.5') ?? '', /whole/);
    assert.match(validateField(f, 'abc') ?? '', /number/);
  });
  it('validates text patterns as whole-string matches', () => {
    const f = { id: 'n', kind: 'text' as const, title: 'Name', pattern: { source: '[a-z]{3,5}', message: '3-5 letters' } };
    assert.equal(validateField(f, 'abcd'), undefined);
    assert.equal(validateField(f, 'abcdef'), '3-5 letters');
    assert.equal(validateField(f, ''), 'A value is required');
  });
  it('summarises running operations for the status bar', () => {
    assert.equal(statusText([]), '');
    assert.equal(statusText([{ progress: 40 }, { progress: 60 }, {}]), '$(sync~spin) Snapkeeper: 3 running · 50%');
    assert.equal(statusText([{}]), '$(sync~spin) Snapkeeper: 1 running');
  });
});

describe('AccountSession', () => {
  const scope: Scope = { id: 'r1', label: 'r1', leaf: true };

  it('shows pages of a first listing as they arrive, then marks the scope loaded', async () => {
    const changes: (string | undefined)[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const adapter = fakeAdapter({
      listInventory: async (_s, sink) => {
        sink.add('disk', [disk('d1', 'r1')], false);
        await gate;
        sink.add('disk', [disk('d2', 'r1')], true);
        sink.add('vm', [], true);
        sink.add('snapshot', [], true);
        sink.add('image', [], true);
      },
    });
    const s = new AccountSession(account, async () => adapter, (id) => changes.push(id));
    const done = s.load(scope);
    await tick(5);
    assert.equal(s.state('r1')?.status, 'loading');
    assert.deepEqual([...s.state('r1')!.items.keys()], ['d1']);
    release();
    await done;
    assert.equal(s.state('r1')?.status, 'loaded');
    assert.deepEqual(s.inventory('r1').disks.map((d) => d.id), ['d1', 'd2']);
    assert.ok(changes.filter((c) => c === 'r1').length >= 3);
  });

  it('keeps the last complete listing during a refresh, and an error leaves it visible', async () => {
    let round = 0;
    const adapter = fakeAdapter({
      listInventory: async (_s, sink) => {
        round++;
        if (round === 1) {
          sink.add('disk', [disk('old', 'r1')], true);
          return;
        }
        sink.add('disk', [disk('new', 'r1')], false);
        throw new CloudError('throttled', 'slow down');
      },
    });
    const s = new AccountSession(account, async () => adapter, () => undefined);
    await s.load(scope);
    await s.load(scope, true);
    const st = s.state('r1')!;
    assert.equal(st.status, 'error');
    assert.equal((st.error as CloudError).kind, 'throttled');
    assert.deepEqual([...st.items.keys()], ['old']);
  });

  it('retries loading the adapter after a failed load', async () => {
    let calls = 0;
    const s = new AccountSession(
      account,
      async () => {
        calls++;
        if (calls === 1) {
          throw new Error('bundle missing');
        }
        return fakeAdapter({ listScopes: async () => [scope] });
      },
      () => undefined,
    );
    await assert.rejects(s.scopes(), /bundle missing/);
    assert.deepEqual(await s.scopes(), [scope]);
  });

  it('shows only the top-level scopes the account chose, but offers them all for the choice', async () => {
    const subs: Scope[] = ['s1', 's2', 's3'].map((id) => ({ id, label: id.toUpperCase(), leaf: false }));
    const location: Scope = { id: 's2/eastus', label: 'East US', leaf: true, parentId: 's2' };
    const listScopes = async (parent?: Scope) => (parent ? [{ ...location, id: `${parent.id}/eastus`, parentId: parent.id }] : subs);
    const chosen = { ...account, settings: { scopes: 's2, s3,' } };
    const s = new AccountSession(chosen, async () => fakeAdapter({ listScopes }), () => undefined);
    assert.deepEqual(
      (await s.scopes()).map((x) => x.id),
      ['s2', 's3'],
    );
    assert.deepEqual(
      (await s.leafScopes()).map((x) => x.id),
      ['s2/eastus', 's3/eastus'],
    );
    assert.deepEqual(
      (await s.allTopScopes()).map((x) => x.id),
      ['s1', 's2', 's3'],
    );
    const all = new AccountSession(account, async () => fakeAdapter({ listScopes }), () => undefined);
    assert.equal((await all.scopes()).length, 3, 'no choice shows every scope');
  });
});
