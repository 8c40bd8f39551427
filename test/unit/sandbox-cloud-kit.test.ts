// CloudKit (src/sandbox/cloud-kit.ts): what every backend's `open` shares — the state it keeps
// (replaced by a reset, so every reader sees the current one), the control's `state` and `reset`,
// and the cloud's members about the state. A toy state stands in for a cloud's.
import assert from 'node:assert/strict';
import type { CloudContext } from '../../src/sandbox/backend';
import { CloudKit, type StateControl } from '../../src/sandbox/cloud-kit';
import { FaultInjector } from '../../src/sandbox/faults';

class ToyState {
  revision = 0;
  items: string[] = [];
  constructor(readonly origin: 'created' | 'loaded') {}
  add(item: string): number {
    this.items.push(item);
    this.revision++;
    return this.items.length;
  }
  toJSON(): unknown {
    return { items: this.items };
  }
}

interface ToyControl extends StateControl<ToyState> {
  add(item: string): number;
  count(): number;
}

function harness(saved: unknown, seed: boolean) {
  const calls = { changed: 0, replaced: 0, empty: 0 };
  const context: CloudContext = {
    options: {},
    key: 'key',
    faults: new FaultInjector(),
    changed: () => void calls.changed++,
    replaced: () => void calls.replaced++,
  };
  const kit = new CloudKit<ToyState>(
    context,
    {
      create: () => new ToyState('created'),
      seed: (state) => void state.add('seeded'),
      empty: () => void calls.empty++,
      load: (json) => {
        const state = new ToyState('loaded');
        state.items = [...(json as { items: string[] }).items];
        return state;
      },
      summary: (state) => ({ count: state.items.length }),
      controlRoute: (state, method, url, input, changed) => {
        if (method === 'POST' && url.pathname === '/_sandbox/toy/add') {
          return changed({ count: state.add(String(input)) });
        }
        return undefined;
      },
    },
    saved,
    seed,
  );
  const control = kit.control<ToyControl>({
    add: (item) => kit.changed(kit.state.add(item)),
    count: () => kit.state.items.length,
  });
  const cloud = kit.cloud(control, {
    route: () => undefined,
    controlAuthorized: () => false,
    errorAnswer: () => undefined,
    info: (listener) => ({ endpoint: listener.endpoint }),
  });
  return { kit, control, cloud, calls };
}

describe('sandbox CloudKit', () => {
  it('opens seeded, empty, or from the saved state, as asked', () => {
    const seeded = harness(undefined, true);
    assert.deepEqual(seeded.control.state.items, ['seeded']);
    assert.equal(seeded.calls.empty, 0);
    const empty = harness(undefined, false);
    assert.deepEqual(empty.control.state.items, []);
    assert.equal(empty.calls.empty, 1);
    const loaded = harness({ items: ['a', 'b'] }, true);
    assert.equal(loaded.control.state.origin, 'loaded');
    assert.deepEqual(loaded.cloud.toJSON(), { items: ['a', 'b'] });
  });

  it("the control's reset replaces the state every reader sees (seeded unless told) and asks for a save", () => {
    const { kit, control, cloud, calls } = harness(undefined, true);
    const before = control.state;
    control.add('x');
    assert.equal(cloud.revision(), 2);
    control.reset(false);
    assert.notEqual(control.state, before);
    assert.equal(control.state, kit.state);
    assert.deepEqual(control.state.items, []);
    assert.deepEqual(cloud.toJSON(), { items: [] });
    assert.equal(cloud.revision(), 0);
    assert.deepEqual(cloud.summary(), { count: 0 });
    assert.equal(calls.replaced, 1);
    control.reset();
    assert.deepEqual(control.state.items, ['seeded']);
    assert.equal(calls.replaced, 2);
  });

  it("the cloud's reset (the sandbox's) replaces the state without asking for a save itself", () => {
    const { control, cloud, calls } = harness(undefined, false);
    control.add('x');
    cloud.reset(true);
    assert.deepEqual(control.state.items, ['seeded']);
    assert.equal(calls.replaced, 0);
  });

  it('changed() marks the state changed and passes the value through; control routes get the current state', async () => {
    const { control, cloud, calls } = harness(undefined, true);
    assert.equal(control.add('x'), 2);
    assert.equal(calls.changed, 1);
    control.reset(false);
    const answer = cloud.controlRoute('POST', new URL('http://127.0.0.1/_sandbox/toy/add'), 'y');
    assert.deepEqual(answer, { count: 1 });
    assert.deepEqual(control.state.items, ['y']);
    assert.equal(calls.changed, 2);
    assert.equal(cloud.controlRoute('GET', new URL('http://127.0.0.1/_sandbox/toy/add'), undefined), undefined);
    assert.equal(control.count(), 1);
    await cloud.listen();
    await cloud.close();
  });
});
