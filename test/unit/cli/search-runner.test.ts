import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runHubSearch, type SearchRun } from '../../../cli/search-runner.js';
import { UsageError } from '../../../cli/usage-error.js';
import { SEARCH_LIMITS } from '../../../protocol/index.js';
import { startTestHub, type TestHub } from '../../helpers/hub-harness.js';
import { MemoryHistory } from '../../helpers/memory-history.js';

class Collector extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

/** `supergrep search` against a hub in this process, searching an in-memory history. */
describe('runHubSearch', () => {
  let hub: TestHub | undefined;
  afterEach(async () => {
    await hub?.close();
    hub = undefined;
  });

  function run(overrides: Partial<SearchRun> = {}): { stdout: Collector; stderr: Collector; outcome: ReturnType<typeof runHubSearch> } {
    const stdout = new Collector();
    const stderr = (overrides.stderr as Collector | undefined) ?? new Collector();
    const outcome = runHubSearch({
      hub: new URL(hub!.url),
      params: { query: 'hit', hosts: [], files: [], order: 'asc' },
      limit: 1_000,
      json: false,
      color: false,
      stdout,
      stderr,
      ...overrides,
    });
    return { stdout, stderr, outcome };
  }

  it('prints every match in time order, following the cursor past one page, with no progress on a pipe', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', '/var/log/a.log');
    const db = history.source('db-1', '/var/log/b.log');
    const total = SEARCH_LIMITS.maxLimit + 500;
    for (let i = 0; i < total; i += 2) {
      history.append(web, 1_000 + i, [`hit ${i}`, 'miss']);
      history.append(db, 1_000 + i + 1, [`hit ${i + 1}`]);
      if (i % 1_000 === 0) {
        history.seal(web);
        history.seal(db);
      }
    }
    hub = await startTestHub({}, { history });
    const { stdout, stderr, outcome } = run({ limit: total + 10, params: { query: 'hit', hosts: [], files: [], order: 'asc', from: 1_000 } });
    expect(await outcome).toEqual({ count: total, partial: [] });
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(total);
    expect(lines[0]).toBe('web-1 /var/log/a.log: hit 0');
    expect(lines[1]).toBe('db-1 /var/log/b.log: hit 1');
    expect(lines.map((line) => Number(line.split(' ').at(-1)))).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(stderr.text).toBe('');
  });

  it('stops at --limit, prints JSON records, and draws progress only on a terminal', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    for (let i = 0; i < 5; i += 1) history.append(web, 1_000 + i, [`hit ${i}`]);
    hub = await startTestHub({}, { history });
    const terminal = new Collector(true);
    const { stdout, outcome } = run({ limit: 2, json: true, stderr: terminal, params: { query: 'hit', hosts: ['web-*'], files: [], order: 'desc' } });
    expect(await outcome).toEqual({ count: 2, partial: [] });
    expect(stdout.text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { line: string }).line)).toEqual(['hit 4', 'hit 3']);
    expect(terminal.text).toContain('supergrep search: scanned ');
    expect(terminal.text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('says the results are partial when a block could not be read', async () => {
    const history = new MemoryHistory();
    const web = history.source('web-1', 'a.log');
    history.append(web, 1_000, ['hit 0']);
    history.seal(web);
    history.append(web, 2_000, ['hit 1']);
    history.corrupt.add(history.allBlocks()[0]!);
    hub = await startTestHub({}, { history });
    const { stdout, outcome } = run();
    expect(await outcome).toEqual({ count: 1, partial: ['1 damaged blocks of history could not be read'] });
    expect(stdout.text).toBe('web-1 a.log: hit 1\n');
  });

  it('reports a refused pattern as a usage error, and a hub without history as a failure', async () => {
    hub = await startTestHub({}, { history: new MemoryHistory() });
    const refused = run({ params: { query: '(?=x)', hosts: [], files: [], order: 'desc' } }).outcome;
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(/lookahead .*\(SG_ERR_BAD_REGEX\)$/);
    await hub.close();
    hub = await startTestHub({ history: false });
    const off = run().outcome;
    await expect(off).rejects.not.toBeInstanceOf(UsageError);
    await expect(off).rejects.toThrow('history is off on this hub (SG_ERR_NOT_FOUND)');
  });
});
