// Running the measured programs: every tool the bench compares goes through /usr/bin/time, so wall
// time, CPU % and peak RSS mean the same thing for each (%P = (user + system) / wall of the
// process and the children it waited for; %M = the largest resident set of that process tree's
// biggest member, in KiB). Wall time is taken here with hrtime around the whole command.

import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/action.js';

export const MB = 1e6;
export const MiB = 1024 * 1024;

export interface Measured {
  seconds: number;
  /** CPU % of the command (100 = one core busy for the whole wall time). */
  cpuPercent: number;
  peakRssMiB: number;
  stdout: string;
  stderr: string;
}

/** The bundled CLI every run of ours executes: the committed (or freshly built) dist/. */
export function ourCli(): string {
  return join(repoRoot(), 'dist', 'cli', 'index.js');
}

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`size "${text}": use a number with K, M or G, e.g. 256M`);
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** Bytes as the sweep names them: 10 MiB, 1 GiB. */
export function sizeName(bytes: number): string {
  return bytes >= 1024 * MiB ? `${(bytes / 1024 / MiB).toFixed(bytes % (1024 * MiB) ? 1 : 0)} GiB` : `${(bytes / MiB).toFixed(0)} MiB`;
}

/** Runs a command to completion; rejects with its stderr when it fails. */
export function run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 256 * MiB, env: opts.env ?? process.env, timeout: 3_600_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** `command args` under /usr/bin/time (its report goes to a file of its own, apart from the command's stderr). */
export async function timeCommand(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'verify-image-bench-time-'));
  const report = join(dir, 'time');
  try {
    const started = process.hrtime.bigint();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-o', report, '-f', 'CPU %P PEAK_RSS_KIB %M', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const m = /CPU (\d+)% PEAK_RSS_KIB (\d+)/.exec(await readFile(report, 'utf8').catch(() => ''));
    if (code !== 0 || !m) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-1500)} ${stdout.slice(0, 500)}`);
    return { seconds, cpuPercent: Number(m[1]), peakRssMiB: Number(m[2]) / 1024, stdout, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface DeepReport {
  verified: boolean;
  images: { deep?: { verified: boolean; bytesDownloaded: number; concurrency: number; layers: { uncompressedSize?: number }[] } }[];
}

/**
 * Our CLI on `node` verifying `ref` (`--local none`, `--deep` unless `deep` is false). A run that
 * does not come back verified stops the bench: a figure of a failed verification is no figure.
 */
export async function timeOurs(
  node: string,
  ref: string,
  opts: { deep?: boolean; concurrency?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Measured & { concurrency: number; uncompressed: number }> {
  const deep = opts.deep ?? true;
  const args = [...(opts.nodeArgs ?? []), ourCli(), ref, '--local', 'none', '--json', '--quiet'];
  if (deep) args.push('--deep');
  if (deep && opts.concurrency) args.push('--concurrency', opts.concurrency);
  const measured = await timeCommand(node, args, { ...process.env, ...opts.env });
  let report: DeepReport;
  try {
    report = JSON.parse(measured.stdout) as DeepReport;
  } catch {
    throw new Error(`verify-image on ${node} printed no JSON report for ${ref}: ${measured.stdout.slice(0, 500)}`);
  }
  const result = report.images[0]?.deep;
  if (!report.verified || (deep && !result?.verified)) throw new Error(`verification of ${ref} on ${node} did not pass: ${measured.stdout.slice(0, 2000)}`);
  return { ...measured, concurrency: result?.concurrency ?? 0, uncompressed: (result?.layers ?? []).reduce((n, l) => n + (l.uncompressedSize ?? 0), 0) };
}

/** CPU seconds (user + system, its reaped children included) a process has used so far, or undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state; utime is field 14.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0);
    return Number.isFinite(ticks) ? ticks / 100 : undefined;
  } catch {
    return undefined;
  }
}
