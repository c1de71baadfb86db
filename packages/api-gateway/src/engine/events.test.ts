import { describe, expect, it } from 'vitest';
import { EventBus, type EngineEvent } from './events.js';

const brief = (events: EngineEvent[]): string[] => events.map((e) => `${e.type} ${e.action} ${e.id}`);

describe('EventBus', () => {
  it('gives live listeners each event with its attributes and a nanosecond time', () => {
    const bus = new EventBus();
    const got: EngineEvent[] = [];
    bus.subscribe((e) => got.push(e));
    const before = BigInt(Date.now()) * 1_000_000n;
    bus.emit('container', 'start', 'abc', { name: 'web' });
    bus.emit('volume', 'create', 'data');
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(brief(got)).toEqual(['container start abc', 'volume create data']);
    expect(got[0]!.attributes).toEqual({ name: 'web' });
    expect(got[1]!.attributes).toEqual({});
    for (const e of got) {
      expect(e.timeNano >= before && e.timeNano <= after).toBe(true);
      expect(e.timeNano % 1_000_000n).toBe(0n);
    }
  });

  it('does not replay history without since', () => {
    const bus = new EventBus();
    bus.emit('image', 'pull', 'busybox');
    const got: EngineEvent[] = [];
    bus.subscribe((e) => got.push(e));
    expect(got).toEqual([]);
  });

  it('replays the recorded events at or after since, then gives live ones whatever since was', () => {
    const bus = new EventBus();
    bus.emit('container', 'create', 'a');
    bus.emit('container', 'start', 'a');
    const all: EngineEvent[] = [];
    bus.subscribe((e) => all.push(e), 0n);
    expect(brief(all)).toEqual(['container create a', 'container start a']);
    const future: EngineEvent[] = [];
    bus.subscribe((e) => future.push(e), BigInt(Date.now() + 60_000) * 1_000_000n);
    expect(future).toEqual([]);
    bus.emit('container', 'die', 'a');
    expect(brief(all)).toEqual(['container create a', 'container start a', 'container die a']);
    expect(brief(future)).toEqual(['container die a']);
  });

  it('replays exactly the events at or after since, by their own times', () => {
    const bus = new EventBus();
    const recorded: EngineEvent[] = [];
    bus.subscribe((e) => recorded.push(e));
    for (let i = 0; i < 5; i++) bus.emit('network', 'connect', `n${i}`);
    const since = recorded[2]!.timeNano;
    const replayed: EngineEvent[] = [];
    bus.subscribe((e) => replayed.push(e), since);
    expect(replayed).toEqual(recorded.filter((e) => e.timeNano >= since));
    expect(replayed.map((e) => e.id)).toContain('n2');
  });

  it('stops calling a listener once it unsubscribes', () => {
    const bus = new EventBus();
    const got: EngineEvent[] = [];
    const other: EngineEvent[] = [];
    const off = bus.subscribe((e) => got.push(e));
    bus.subscribe((e) => other.push(e));
    bus.emit('container', 'start', 'a');
    off();
    bus.emit('container', 'stop', 'a');
    expect(brief(got)).toEqual(['container start a']);
    expect(brief(other)).toEqual(['container start a', 'container stop a']);
  });

  it('keeps only the last 1000 events for replay', () => {
    const bus = new EventBus();
    for (let i = 0; i < 1005; i++) bus.emit('container', 'exec_start', String(i));
    const replayed: EngineEvent[] = [];
    bus.subscribe((e) => replayed.push(e), 0n);
    expect(replayed).toHaveLength(1000);
    expect(replayed[0]!.id).toBe('5');
    expect(replayed[999]!.id).toBe('1004');
  });
});
