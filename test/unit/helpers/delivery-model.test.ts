import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDeliveries, DeliveryModel, type Delivery } from '../../helpers/delivery-model.js';

const FILE = '/var/log/app.log';
const at = (lines: string[]): Delivery[] => lines.map((line) => ({ line, file: FILE }));
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** The checker of the model-based pipeline test must itself catch every kind of wrong delivery. */
describe('DeliveryModel and checkDeliveries', () => {
  function modelWithLines(count: number): { model: DeliveryModel; lines: string[]; text: string } {
    const model = new DeliveryModel();
    model.startEmpty('100');
    const text = model.append(count, 0);
    return { model, lines: model.required(), text };
  }

  it('accepts every line once, in order', () => {
    const { model, lines } = modelWithLines(5);
    expect(lines).toEqual(['L000000 ', 'L000001 ', 'L000002 ', 'L000003 ', 'L000004 ']);
    expect(checkDeliveries(model, at(lines), FILE)).toEqual([]);
  });

  it('reports a missing line, a line never written, a wrong file and a reordering', () => {
    const { model, lines } = modelWithLines(4);
    expect(checkDeliveries(model, at([lines[0]!, lines[2]!, lines[3]!]), FILE)).toEqual([expect.stringContaining('1 lines never arrived: L000001')]);
    expect(checkDeliveries(model, at([...lines, 'L000001 extra']), FILE)).toEqual([expect.stringContaining('never written as a line')]);
    expect(checkDeliveries(model, [...at(lines.slice(1)), { line: lines[0]!, file: '/other.log' }], FILE)).toContain(`${lines[0]} reported under /other.log, not ${FILE}`);
    expect(checkDeliveries(model, at([lines[1]!, lines[0]!, lines[2]!, lines[3]!]), FILE)).toEqual([expect.stringContaining('L000001  arrived before L000000')]);
  });

  it('allows a duplicate only after a kill at which the line was unacknowledged, one copy per kill', () => {
    const { model, lines } = modelWithLines(3);
    const twice = at([...lines, lines[2]!]);
    expect(checkDeliveries(model, twice, FILE)).toEqual([expect.stringContaining('follows only 0 kill(s)')]);
    model.kills.push({ kind: 'hub', position: 3, acked: new Set([lines[0]!, lines[1]!]) });
    expect(checkDeliveries(model, twice, FILE)).toEqual([]);
    // The kill came after the copy: it cannot explain it.
    model.kills[0] = { kind: 'hub', position: 4, acked: new Set() };
    expect(checkDeliveries(model, twice, FILE)).toHaveLength(1);
    // Acknowledged at the kill: no copy is allowed.
    model.kills[0] = { kind: 'agent', position: 3, acked: new Set(lines) };
    expect(checkDeliveries(model, twice, FILE)).toHaveLength(1);
    // Three copies need two kills.
    model.kills[0] = { kind: 'agent', position: 3, acked: new Set() };
    const thrice = at([...lines, lines[2]!, lines[2]!]);
    expect(checkDeliveries(model, thrice, FILE)).toHaveLength(1);
    model.kills.push({ kind: 'hub', position: 4, acked: new Set() });
    expect(checkDeliveries(model, thrice, FILE)).toEqual([]);
  });

  it('reads acknowledged lines from state entries by inode and fingerprint, and ignores an entry it cannot place', () => {
    const { model, lines, text } = modelWithLines(3);
    const entry = { ino: '100', fingerprint: sha(text), fingerprintLength: text.length, offset: 18 };
    expect([...model.ackedBy([entry])]).toEqual(lines.slice(0, 2));
    expect(model.ackedBy([{ ...entry, ino: '101' }]).size).toBe(0);
    expect(model.ackedBy([{ ...entry, fingerprint: sha('something else') }]).size).toBe(0);
  });

  it('models partial lines: finished by the next append, sent at deletion, optional at a rename', () => {
    const model = new DeliveryModel();
    model.startEmpty('7');
    expect(model.appendPartial(3, 4)).toBe('L000');
    expect(model.appendPartial(3, 4)).toBe('');
    expect(model.append(1, 0)).toBe('000 xxx\nL000001 \n');
    model.appendPartial(0, 3);
    model.delete();
    expect(model.required()).toEqual(['L000000 xxx', 'L000001 ', 'L00']);
    model.appendPartial(0, 5);
    model.rotate();
    expect(model.segments[1]!.optional).toEqual(['L0000']);
    expect(checkDeliveries(model, at(model.required()), FILE)).toEqual([]);
  });
});
