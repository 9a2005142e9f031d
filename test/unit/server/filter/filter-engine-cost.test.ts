import { describe, expect, it } from 'vitest';
import type { FilterSpec } from '../../../../protocol/index.js';
import type { BatchRef, SourceRef } from '../../../../server/filter/batch-lines.js';
import { FilterEngine, FilterError, type EvaluationKind, type FilterCostObserver } from '../../../../server/filter/filter-engine.js';
import { MatchRouter } from '../../../../server/filter/match-router.js';
import { COST_WINDOW_MS, MAX_COSTLY_FILTERS_PER_HUB, MAX_COSTLY_FILTERS_PER_VIEWER } from '../../../../server/filter/pattern-cost.js';

const SOURCE: SourceRef = { host: 'web-1', file: '/var/log/app.log', idPrefix: 'hub-1-' };

function batchOf(lines: readonly string[]): BatchRef {
  return { body: Buffer.from(lines.map((line) => `${line}\n`).join('')), firstPos: 0, ts: 1000, truncated: undefined };
}

/** Records what the engine reports. */
function recorder() {
  const evaluated: EvaluationKind[] = [];
  const refused: string[] = [];
  let costly = 0;
  const observer: FilterCostObserver = {
    evaluated: (kind) => evaluated.push(kind),
    costlyFilters: (count) => {
      costly = count;
    },
    tooExpensive: (reason) => refused.push(reason),
  };
  return { observer, evaluated, refused, costly: () => costly };
}

function refusal(act: () => unknown): FilterError {
  try {
    act();
  } catch (error) {
    if (error instanceof FilterError) return error;
    throw error;
  }
  throw new Error('not refused');
}

const hostile = (n: number): FilterSpec => ({ query: `(?s).{${n}}Q` });

describe('FilterEngine and costly filters', () => {
  it('evaluates costly filters alone and ordinary ones in one group, with the same matches', () => {
    const { observer, evaluated } = recorder();
    const engine = new FilterEngine({ observer });
    const specs: FilterSpec[] = [hostile(1000), hostile(999), { query: 'error|warn' }, { query: 'user_id=\\d+' }, { query: 'timeout after \\d+ms' }, { query: '(?s)x.{40}Q' }];
    const filters = specs.map((spec) => engine.acquire(spec));
    const long = `${'a'.repeat(1000)}Q`;
    const lines = ['error one', 'user_id=42 timeout after 30ms', long, 'Q at the start', `${'b'.repeat(998)}Q`, `x${'-'.repeat(40)}Q`, 'warn'];
    const results = engine.matchBatch(SOURCE, batchOf(lines));
    // One group for the three ordinary patterns and the short repetition, the two hostile ones alone.
    expect(evaluated.sort()).toEqual(['costly', 'costly', 'group']);
    const byQuery = new Map(results.map((result) => [result.filter.spec.query, result.lines.map((line) => [line.line, line.ranges])]));
    expect(byQuery.get('(?s).{1000}Q')).toEqual([[long, [[0, 1001]]]]);
    expect(byQuery.get('(?s).{999}Q')).toEqual([[long, [[1, 1001]]]]);
    expect(byQuery.get('(?s)x.{40}Q')).toEqual([[`x${'-'.repeat(40)}Q`, [[0, 42]]]]);
    expect(byQuery.get('error|warn')).toEqual([
      ['error one', [[0, 5]]],
      ['warn', [[0, 4]]],
    ]);
    expect(filters.map((filter) => filter.costly)).toEqual([true, true, false, false, false, false]);
  });

  it('matches a costly pattern line by line: a match never runs across lines', () => {
    const engine = new FilterEngine();
    expect(engine.acquire({ query: '(?s)a.{300}b' }).costly).toBe(true);
    expect(engine.acquire({ query: '', exclude: '(?s)c.{300}d' }).costly).toBe(true);
    const lines = ['a', 'x'.repeat(400), 'b', `a${'y'.repeat(300)}b`, 'c', 'x'.repeat(400), 'd', `c${'z'.repeat(300)}d`];
    const [include, everything] = engine.matchBatch(SOURCE, batchOf(lines));
    expect(include!.lines.map((line) => line.line)).toEqual([`a${'y'.repeat(300)}b`]);
    expect(everything!.lines.map((line) => line.line)).toEqual(lines.filter((line) => line !== `c${'z'.repeat(300)}d`));
  });

  it('refuses a costly filter beyond a viewer\u2019s budget, also when it shares a live one', () => {
    const { observer, refused } = recorder();
    const engine = new FilterEngine({ observer });
    const held = Array.from({ length: MAX_COSTLY_FILTERS_PER_VIEWER }, (_, i) => engine.acquire(hostile(1000 - i), i));
    const error = refusal(() => engine.acquire(hostile(900), held.length));
    expect(error.code).toBe('SG_ERR_TOO_EXPENSIVE');
    expect(error.message).toBe(
      `pattern "(?s).{900}Q" is costly, its counted repetition {900} making it about 7,204 RE2 instructions, and this connection already holds ${MAX_COSTLY_FILTERS_PER_VIEWER} costly filters, the most one viewer may: unsubscribe one, or shorten the repetition`,
    );
    // Sharing a live costly filter still counts against this viewer; ordinary filters never do.
    expect(refusal(() => engine.acquire(hostile(1000), held.length)).code).toBe('SG_ERR_TOO_EXPENSIVE');
    expect(engine.acquire({ query: 'error' }, held.length).costly).toBe(false);
    // Another viewer, or a pin (no budget given), may still share it.
    expect(engine.acquire(hostile(1000), 0)).toBe(held[0]);
    expect(engine.acquire(hostile(1000))).toBe(held[0]);
    expect(refused).toEqual(['viewer', 'viewer']);
  });

  it('refuses a new costly filter beyond the hub\u2019s budget until one is released', () => {
    const { observer, refused, costly } = recorder();
    const engine = new FilterEngine({ observer });
    const held = Array.from({ length: MAX_COSTLY_FILTERS_PER_HUB }, (_, i) => engine.acquire(hostile(1000 - i)));
    expect(costly()).toBe(MAX_COSTLY_FILTERS_PER_HUB);
    const error = refusal(() => engine.acquire(hostile(800)));
    expect(error.code).toBe('SG_ERR_TOO_EXPENSIVE');
    expect(error.message).toContain(`the hub already evaluates ${MAX_COSTLY_FILTERS_PER_HUB} costly filters, the most it will`);
    expect(refused).toEqual(['hub']);
    engine.release(held[0]!);
    expect(costly()).toBe(MAX_COSTLY_FILTERS_PER_HUB - 1);
    expect(engine.acquire(hostile(800)).costly).toBe(true);
  });

  it('counts a pattern over the size limit as refused for its pattern', () => {
    const { observer, refused } = recorder();
    const engine = new FilterEngine({ observer });
    expect(refusal(() => engine.acquire({ query: '(?s).{1000}Q.{1000}R' })).code).toBe('SG_ERR_TOO_EXPENSIVE');
    expect(refused).toEqual(['pattern']);
    expect(engine.size).toBe(0);
  });

  it('suspends a costly filter that keeps taking more than its share of the time, and tells its subscribers', () => {
    // A clock that moves 10 ms at every reading: the one filter "takes" 10 ms of every 30 ms.
    let clock = 0;
    const { observer, refused, costly } = recorder();
    const engine = new FilterEngine({ observer, now: () => (clock += 10) });
    const router = new MatchRouter(engine);
    const suspensions: FilterError[] = [];
    const costlySub = router.subscribe(hostile(1000), { deliver: () => undefined, suspended: (error) => suspensions.push(error) });
    const batch = batchOf([`${'a'.repeat(1000)}Q`, 'plain']);
    while (clock < COST_WINDOW_MS * 2 && suspensions.length === 0) router.dispatch(engine.matchBatch(SOURCE, batch), SOURCE);
    expect(suspensions).toHaveLength(1);
    expect(suspensions[0]!.code).toBe('SG_ERR_TOO_EXPENSIVE');
    expect(suspensions[0]!.message).toMatch(
      /^pattern "\(\?s\)\.\{1000\}Q" is costly, its counted repetition \{1000\} making it about 8,004 RE2 instructions; it took 33% of the hub's time over 2 s \(a filter may take 25%\), so it was stopped: shorten the repetition or make the pattern more selective$/,
    );
    expect(refused).toEqual(['suspended']);
    expect(costly()).toBe(0);
    // Suspended: no longer evaluated; other filters go on.
    router.subscribe({ query: 'plain' }, { deliver: () => undefined });
    expect(engine.matchBatch(SOURCE, batch).map((result) => result.filter.spec.query)).toEqual(['plain']);
    // Released by its holder, it is gone; subscribing again evaluates it afresh.
    costlySub.close();
    expect(engine.size).toBe(1);
    expect(router.subscribe(hostile(1000), { deliver: () => undefined }).filter.costly).toBe(true);
    expect(costly()).toBe(1);
  });

  it('never suspends a filter that is not costly, whatever share it takes', () => {
    let clock = 0;
    const engine = new FilterEngine({ now: () => (clock += 10) });
    const router = new MatchRouter(engine);
    const suspensions: FilterError[] = [];
    // Evaluated alone (\A is not batch-safe), as a costly filter is, and "taking" a third of the time.
    router.subscribe({ query: '\\Aplain' }, { deliver: () => undefined, suspended: (error) => suspensions.push(error) });
    const batch = batchOf(['plain', 'other']);
    while (clock < COST_WINDOW_MS * 3) expect(engine.matchBatch(SOURCE, batch)).toHaveLength(1);
    expect(suspensions).toEqual([]);
  });
});
