// Runs the Python peers (bench/peers/*_peer.py) as subprocesses of /usr/bin/python3: the job
// (workload data, runs, dtype) goes in as JSON on stdin, timings come back as one JSON line.
// A peer whose module cannot be imported is reported as unavailable with the reason, so the
// suite prints a notice and skips it: nothing is ever estimated or filled in for a missing peer.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { toJson } from './workloads.mjs';

/**
 * The interpreter the peers use: Debian's, where python3-numpy and python3-torch install
 * (`PARADOX_BENCH_PYTHON` overrides it, e.g. for a virtualenv with its own NumPy/PyTorch).
 */
export const PYTHON = process.env.PARADOX_BENCH_PYTHON || '/usr/bin/python3';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Python modules behind each peer. */
const MODULES = { numpy: 'numpy', torch: 'torch' };

/**
 * One BLAS / OpenMP thread for every Python peer, so each implementation in the comparison uses
 * one core. `unset` lists variables removed from this subprocess's environment only.
 */
export function peerEnv(unset = []) {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  for (const k of unset) delete env[k];
  return env;
}

const cache = new Map();

/**
 * Whether the peer can run here: `{ available: true, version }` or `{ available: false, reason }`.
 * Checked once per process by importing the module in /usr/bin/python3.
 */
export function probePeer(name) {
  if (cache.has(name)) return cache.get(name);
  let res;
  if (!existsSync(PYTHON)) {
    res = { available: false, reason: `${PYTHON} not found` };
  } else {
    const mod = MODULES[name];
    const p = spawnSync(PYTHON, ['-c', `import ${mod}; print(${mod}.__version__)`], {
      env: peerEnv(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    res =
      p.status === 0
        ? { available: true, version: p.stdout.trim() }
        : { available: false, reason: `${PYTHON} cannot import ${mod}${p.stderr ? `: ${p.stderr.trim().split('\n').at(-1)}` : ''}` };
  }
  cache.set(name, res);
  return res;
}

/**
 * Run one job on a Python peer. `workload` is sent as JSON; resolves to the peer's reply
 * (`{ ok: true, seconds: [...], ... }`) or rejects with the peer's error message.
 */
export function runPeer(name, workload, { runs, warmup = 1, dtype = 'float64', unset = [], extra = {} }) {
  const script = path.join(HERE, `${name}_peer.py`);
  const job = `{"task":${toJson({ ...workload, ...extra })},"runs":${runs},"warmup":${warmup},"dtype":${JSON.stringify(dtype)}}`;
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script], { env: peerEnv(unset), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      let reply;
      try {
        reply = JSON.parse(line);
      } catch {
        reject(new Error(`${name} peer exited with code ${code} without a JSON reply: ${err.trim().slice(-500)}`));
        return;
      }
      if (!reply.ok) reject(new Error(`${name} peer: ${reply.error}`));
      else resolve(reply);
    });
    child.stdin.end(job);
  });
}

/**
 * A long-lived session with `peers/batched_peer.py`: one JSON request per line, one reply per line,
 * so a suite can interleave its own timings with the peer's (core, peer, core, …) in one run.
 * `request(obj)` resolves to the reply or rejects with the peer's error; `close()` ends the process.
 */
export function peerSession() {
  const script = path.join(HERE, 'batched_peer.py');
  const child = spawn(PYTHON, [script], { env: peerEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let err = '';
  const waiting = [];
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (!w) continue;
      try {
        const reply = JSON.parse(line);
        if (reply.ok) w.resolve(reply);
        else w.reject(new Error(`batched peer: ${reply.error}`));
      } catch {
        w.reject(new Error(`batched peer: not a JSON reply: ${line.slice(0, 200)}`));
      }
    }
  });
  child.stderr.on('data', (d) => (err += d));
  child.on('close', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`batched peer exited with code ${code}: ${err.trim().slice(-500)}`));
  });
  return {
    request(obj) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        child.stdin.write(`${typeof obj === 'string' ? obj : JSON.stringify(obj)}\n`);
      });
    },
    close() {
      child.stdin.end('{"cmd":"quit"}\n');
    },
  };
}
