// What a forwarding process costs, read from /proc (Linux): CPU seconds and resident memory, its children
// included (socat forks one process per connection).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name (field 3, `state`, is index 0). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of `pid`: utime + stime, plus cutime + cstime of the children it has reaped (a socat
 * connection's process counts once it has exited). Resolution: one clock tick (10 ms).
 */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  if (fields === undefined) throw new Error(`no process ${pid}`);
  // utime, stime, cutime, cstime are fields 14-17 of stat, indexes 11-14 here.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / CLOCK_TICKS;
}

/** The live children of `pid` (one level: what socat's `fork` makes). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields !== undefined && Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

function statusKib(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Resident memory of `pid` and its live children now (VmRSS), in bytes. */
export function residentBytes(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, p) => sum + statusKib(p, 'VmRSS') * 1024, 0);
}

/** The peak resident memory of `pid` itself (VmHWM), in bytes. */
export function peakResidentBytes(pid: number): number {
  return statusKib(pid, 'VmHWM') * 1024;
}
