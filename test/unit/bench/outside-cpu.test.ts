import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeTop, outsideCpuBetween, processTree, snapshotTasks, type TaskSample, type TaskSnapshot } from '../../../bench/lib/outside-cpu.js';
import { parseStat } from '../../../bench/lib/proc-stat.js';

/** A stat line as the kernel writes it: pid (comm) state ppid ... utime stime ... */
function statLine(tid: number, name: string, ppid: number, utime: number, stime: number): string {
  return `${tid} (${name}) S ${ppid} ${tid} ${tid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 500 1000 10 18446744073709551615\n`;
}

function snapshot(tasks: Record<number, TaskSample>): TaskSnapshot {
  return new Map(Object.entries(tasks).map(([tid, task]) => [Number(tid), task]));
}

describe('parseStat', () => {
  it('takes the parent, the name and user + system ticks', () => {
    expect(parseStat(statLine(77, 'kdamond.0', 2, 0, 1234))).toEqual({ ppid: 2, name: 'kdamond.0', ticks: 1234 });
  });

  it('keeps a name with spaces and parentheses whole', () => {
    expect(parseStat(statLine(5, 'a (b) c', 1, 3, 4))).toEqual({ ppid: 1, name: 'a (b) c', ticks: 7 });
  });

  it('refuses what is not a stat line', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 (node) S x')).toBeUndefined();
  });
});

describe('processTree', () => {
  const tasks = snapshot({
    1: { pid: 1, ppid: 0, name: 'init', ticks: 0 },
    10: { pid: 10, ppid: 1, name: 'bench', ticks: 0 },
    11: { pid: 10, ppid: 1, name: 'bench-thread', ticks: 0 },
    20: { pid: 20, ppid: 10, name: 'hub', ticks: 0 },
    30: { pid: 30, ppid: 20, name: 'grandchild', ticks: 0 },
    40: { pid: 40, ppid: 1, name: 'other', ticks: 0 },
  });

  it('is the root and every process below it', () => {
    expect([...processTree(10, tasks)].sort((a, b) => a - b)).toEqual([10, 20, 30]);
  });

  it('is the root alone when nothing is below it', () => {
    expect([...processTree(40, tasks)]).toEqual([40]);
  });
});

describe('outsideCpuBetween', () => {
  const before = snapshot({
    10: { pid: 10, ppid: 1, name: 'node', ticks: 500 },
    77: { pid: 77, ppid: 2, name: 'kdamond.0', ticks: 1000 },
    90: { pid: 90, ppid: 1, name: 'other', ticks: 50 },
    91: { pid: 90, ppid: 1, name: 'other', ticks: 10 },
    95: { pid: 95, ppid: 1, name: 'gone', ticks: 10 },
  });
  const after = snapshot({
    10: { pid: 10, ppid: 1, name: 'node', ticks: 900 },
    77: { pid: 77, ppid: 2, name: 'kdamond.0', ticks: 1020 },
    90: { pid: 90, ppid: 1, name: 'other', ticks: 52 },
    91: { pid: 90, ppid: 1, name: 'other', ticks: 13 },
    99: { pid: 99, ppid: 1, name: 'newcomer', ticks: 4 },
  });

  it('sums the threads outside the benchmark, by name, over the window', () => {
    const usage = outsideCpuBetween(before, after, new Set([10]), 10_000);
    // kdamond 20 ticks, other 2 + 3, newcomer 4 (started in the window): 29 ticks = 290 ms of 10 s.
    expect(usage.cpuPercent).toBeCloseTo(2.9, 6);
    expect(usage.top).toEqual([
      { name: 'kdamond.0', cpuMs: 200 },
      { name: 'other', cpuMs: 50 },
      { name: 'newcomer', cpuMs: 40 },
    ]);
    expect(describeTop(usage)).toBe('kdamond.0 200 ms, other 50 ms, newcomer 40 ms');
  });

  it('leaves the benchmark out entirely', () => {
    const usage = outsideCpuBetween(before, after, new Set([10, 77, 90, 99]), 10_000);
    expect(usage).toEqual({ cpuPercent: 0, top: [] });
    expect(describeTop(usage)).toBe('none');
  });
});

describe('snapshotTasks', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads every thread of every process under a proc directory, skipping what is not a process', () => {
    dir = mkdtempSync(join(tmpdir(), 'outside-cpu-'));
    const write = (pid: number, tid: number, line: string) => {
      mkdirSync(join(dir!, String(pid), 'task', String(tid)), { recursive: true });
      writeFileSync(join(dir!, String(pid), 'task', String(tid), 'stat'), line);
    };
    write(7, 7, statLine(7, 'app', 1, 2, 3));
    write(7, 8, statLine(8, 'app-worker', 1, 10, 0));
    write(9, 9, 'garbage');
    mkdirSync(join(dir, 'self'));
    writeFileSync(join(dir, 'uptime'), '1 2');
    expect(snapshotTasks(dir)).toEqual(
      new Map([
        [7, { pid: 7, ppid: 1, name: 'app', ticks: 5 }],
        [8, { pid: 7, ppid: 1, name: 'app-worker', ticks: 10 }],
      ]),
    );
  });

  it('sees this process and its parent on the real /proc', () => {
    const tasks = snapshotTasks();
    expect(tasks.get(process.pid)).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(processTree(process.ppid, tasks).has(process.pid)).toBe(true);
  });
});
