import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../protocol/index.js';
import { EXIT_WORSE, gateDecision } from '../../../cli/verdict-gate.js';
import { verdict } from './verdict-fixtures.js';

const pins = [
  { id: 'a', name: 'pin a' },
  { id: 'b', name: 'pin b' },
];

function latest(...verdicts: Verdict[]): Map<string, Verdict> {
  return new Map(verdicts.map((v) => [v.pinId, v]));
}

describe('the deploy gate\'s exit code', () => {
  it('waits while a selected verdict is not final or not there yet', () => {
    expect(gateDecision(latest(verdict('a', { final: true })), pins, false)).toEqual({ done: false, pending: [pins[1]] });
    expect(gateDecision(latest(verdict('a', { final: true }), verdict('b')), pins, false)).toEqual({ done: false, pending: [pins[1]] });
  });

  it('exits 0 once every selected verdict is final and none is worse', () => {
    const final = latest(verdict('a', { final: true, verdict: 'better' }), verdict('b', { final: true, verdict: 'too-few' }));
    expect(gateDecision(final, pins, false)).toEqual({ done: true, exitCode: 0, worse: [], early: false });
  });

  it('exits 3 once every selected verdict is final and one is worse', () => {
    const worse = verdict('b', { final: true, verdict: 'worse' });
    expect(EXIT_WORSE).toBe(3);
    expect(gateDecision(latest(verdict('a', { final: true }), worse), pins, false)).toEqual({ done: true, exitCode: 3, worse: [worse], early: false });
  });

  it('judges only the selected pins', () => {
    const final = latest(verdict('a', { final: true }), verdict('b', { final: true, verdict: 'worse' }));
    expect(gateDecision(final, [pins[0]!], false)).toMatchObject({ done: true, exitCode: 0 });
  });

  it('waits for the final verdict of a pin that is worse for now, unless --fail-fast', () => {
    const now = latest(verdict('a', { verdict: 'worse' }), verdict('b'));
    expect(gateDecision(now, pins, false)).toMatchObject({ done: false });
    expect(gateDecision(now, pins, true)).toEqual({ done: true, exitCode: 3, worse: [now.get('a')], early: true });
  });

  it('does not fail a deploy whose pin was worse for a while but ended unchanged', () => {
    expect(gateDecision(latest(verdict('a', { final: true }), verdict('b', { final: true })), pins, true)).toMatchObject({ done: true, exitCode: 0 });
  });

  it('has nothing to wait for without pins', () => {
    expect(gateDecision(new Map(), [], false)).toEqual({ done: true, exitCode: 0, worse: [], early: false });
  });
});
