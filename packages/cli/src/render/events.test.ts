import { describe, expect, it } from 'vitest';
import { eventJson, eventLine, nanoTimestamp } from './events.js';

const event = { type: 'container', action: 'start', id: 'c0ffee', attributes: { name: 'web', image: 'nginx' }, timeNano: '1795419992028000123' };

describe('docker events output', () => {
  it('one line per event, attributes sorted', () => {
    expect(nanoTimestamp('1795419992028000123')).toBe('2026-11-23T07:46:32.028000123Z');
    expect(eventLine(event)).toBe('2026-11-23T07:46:32.028000123Z container start c0ffee (image=nginx, name=web)');
  });

  it('--format json keeps timeNano exact', () => {
    const json = eventJson(event);
    expect(json).toContain('"timeNano":1795419992028000123}');
    expect(JSON.parse(json)).toMatchObject({ status: 'start', id: 'c0ffee', from: 'nginx', Type: 'container', Action: 'start', Actor: { ID: 'c0ffee', Attributes: { name: 'web' } }, scope: 'local', time: 1795419992 });
  });
});
