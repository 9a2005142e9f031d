import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDeliveries, checkpointLag, DeliveryModel, type Delivery, type StateEntry } from '../../helpers/delivery-model.js';

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

  describe('checkpointLag, the barrier of the model test', () => {
    /**
     * Rename with an unfinished line, then copytruncate and rename (seed 1433802400, path 14): the
     * agent may close the renamed file before it finds it under its new name, and then it sends that
     * line and acknowledges the file to its end, 21 bytes with no complete line.
     */
    function renamedWithUnfinishedLine() {
      const model = new DeliveryModel();
      model.startEmpty('10');
      const unfinished = model.appendPartial(14, 58);
      model.rotate().ino = '20';
      model.appendPartial(60, 11);
      model.current!.ino = '30';
      model.append(32, 64);
      model.truncate();
      model.rotate();
      const files = [
        { name: 'app.log.1', ino: '20', content: Buffer.from(unfinished) },
        { name: 'app.log.3', ino: '30', content: Buffer.alloc(0) },
      ];
      const entry = (ino: string, offset: number): StateEntry => ({ ino, offset, fingerprint: sha(''), fingerprintLength: 0 });
      return { model, files, unfinished, entry, delivered: new Set([...model.required(), unfinished]) };
    }

    it('takes a renamed file whose unfinished line went out as acknowledged at its end', () => {
      const { model, files, unfinished, entry, delivered } = renamedWithUnfinishedLine();
      expect(unfinished).toHaveLength(21);
      expect(checkpointLag(model, files, [entry('20', 21), entry('30', 0)], delivered)).toBeUndefined();
    });

    it('waits for the acknowledgement of an unfinished line the viewer has, and not for one never sent', () => {
      const { model, files, unfinished, entry, delivered } = renamedWithUnfinishedLine();
      // The state file from before that acknowledgement was written.
      expect(checkpointLag(model, files, [entry('20', 0), entry('30', 0)], delivered)).toMatch(/^app\.log\.1 \(inode 20, 21 bytes, 0 of them complete lines\) should stand at 21; its state entry: \{.*"offset":0/);
      // Found under its new name before it was closed: the line stays unsent and the file at 0.
      const withoutIt = new Set([...delivered].filter((line) => line !== unfinished));
      expect(checkpointLag(model, files, [entry('20', 0), entry('30', 0)], withoutIt)).toBeUndefined();
      expect(checkpointLag(model, files, [entry('20', 21), entry('30', 0)], withoutIt)).toMatch(/^app\.log\.1 .* should stand at 0;/);
    });

    it('names a file behind its last complete line, or missing from the state file', () => {
      const { model, lines, text } = modelWithLines(3);
      const files = [{ name: 'app.log', ino: '100', content: Buffer.from(text) }];
      const entry: StateEntry = { ino: '100', offset: text.length, fingerprint: sha(''), fingerprintLength: 0 };
      expect(checkpointLag(model, files, [entry], new Set(lines))).toBeUndefined();
      expect(checkpointLag(model, files, [{ ...entry, offset: 9 }], new Set(lines))).toMatch(/^app\.log \(inode 100, 27 bytes, 27 of them complete lines\) should stand at 27; .*"offset":9/);
      expect(checkpointLag(model, files, [], new Set(lines))).toMatch(/its state entry: none$/);
    });

    it('allows either place when the unfinished line could have come from another file', () => {
      const model = new DeliveryModel();
      const files = [
        { name: 'app.log.1', ino: '1', content: Buffer.from('L00') },
        { name: 'app.log.2', ino: '2', content: Buffer.from('L00') },
      ];
      const entries = [1, 2].map((ino): StateEntry => ({ ino: String(ino), offset: ino === 1 ? 3 : 0, fingerprint: sha(''), fingerprintLength: 0 }));
      expect(checkpointLag(model, files, entries, new Set(['L00']))).toBeUndefined();
    });
  });
});
