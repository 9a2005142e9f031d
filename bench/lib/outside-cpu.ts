import { readdirSync, readFileSync } from 'node:fs';
import { parseStat, TICKS_PER_SECOND, type StatFields } from './proc-stat.js';

/** How many of the busiest outside threads a measurement names. */
const TOP_COUNT = 3;

/** One thread as /proc shows it, with the process it belongs to. */
export type TaskSample = StatFields & { pid: number };

/** Every thread on the machine, by thread id. */
export type TaskSnapshot = Map<number, TaskSample>;

export interface OutsideCpu {
  /** CPU time of threads outside the benchmark, in % of one core over the window. */
  cpuPercent: number;
  /** The busiest of those, by name (threads of one name summed), most first. */
  top: { name: string; cpuMs: number }[];
}

/** Reads every thread of every process. Threads that end while it reads are skipped. */
export function snapshotTasks(procDir = '/proc'): TaskSnapshot {
  const snapshot: TaskSnapshot = new Map();
  for (const entry of readdirSync(procDir)) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let tids: string[];
    try {
      tids = readdirSync(`${procDir}/${pid}/task`);
    } catch {
      continue; // The process ended.
    }
    for (const tid of tids) {
      try {
        const parsed = parseStat(readFileSync(`${procDir}/${pid}/task/${tid}/stat`, 'utf8'));
        if (parsed) snapshot.set(Number(tid), { pid, ...parsed });
      } catch {
        // The thread ended.
      }
    }
  }
  return snapshot;
}

/** `root` and every process below it, from the parent links in `snapshot`. */
export function processTree(root: number, snapshot: TaskSnapshot): Set<number> {
  const children = new Map<number, number[]>();
  for (const [tid, task] of snapshot) {
    // A process's main thread has the process's id: one parent link per process.
    if (tid !== task.pid) continue;
    const siblings = children.get(task.ppid) ?? [];
    siblings.push(task.pid);
    children.set(task.ppid, siblings);
  }
  const tree = new Set<number>([root]);
  const pending = [root];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (!tree.has(child)) {
        tree.add(child);
        pending.push(child);
      }
    }
  }
  return tree;
}

/**
 * What threads outside `own` (process ids) used between two snapshots `windowMs` apart. A thread
 * that started in between counts from 0; one that ended in between is not seen (a short-lived
 * process outside the benchmark goes uncounted).
 */
export function outsideCpuBetween(before: TaskSnapshot, after: TaskSnapshot, own: ReadonlySet<number>, windowMs: number): OutsideCpu {
  let totalTicks = 0;
  const byName = new Map<string, number>();
  for (const [tid, task] of after) {
    if (own.has(task.pid)) continue;
    const used = task.ticks - (before.get(tid)?.ticks ?? 0);
    if (used <= 0) continue;
    totalTicks += used;
    byName.set(task.name, (byName.get(task.name) ?? 0) + used);
  }
  const msPerTick = 1000 / TICKS_PER_SECOND;
  const top = [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_COUNT)
    .map(([name, ticks]) => ({ name, cpuMs: ticks * msPerTick }));
  return { cpuPercent: windowMs > 0 ? (100 * totalTicks * msPerTick) / windowMs : 0, top };
}

/** "kdamond.0 190 ms, node 40 ms" */
export function describeTop(usage: OutsideCpu): string {
  return usage.top.length === 0 ? 'none' : usage.top.map(({ name, cpuMs }) => `${name} ${Math.round(cpuMs)} ms`).join(', ');
}

/**
 * CPU taken during a benchmark's measured window by everything that is not the benchmark: the
 * kernel's own threads and other users' processes. On the bench VM, the kernel's DAMON thread
 * (`kdamond.0`) samples physical memory every 500 ms and holds one of the two CPUs for up to 8-11 ms
 * each time, and the machine is shared; a figure that missed its target in a run where this was high
 * says more about the machine than about the change (docs/performance.md). Times come in clock ticks
 * (10 ms per thread), so the figure is coarse for a window of a second or two (a catch-up).
 */
export class OutsideCpuMeter {
  private before: TaskSnapshot | undefined;
  private startedAt = 0;

  start(): this {
    this.before = snapshotTasks();
    this.startedAt = performance.now();
    return this;
  }

  /** What outside threads used since `start()`; the benchmark is this process and everything below it. */
  stop(): OutsideCpu {
    if (!this.before) throw new Error('OutsideCpuMeter.stop() before start()');
    const windowMs = performance.now() - this.startedAt;
    const after = snapshotTasks();
    return outsideCpuBetween(this.before, after, processTree(process.pid, after), windowMs);
  }
}
