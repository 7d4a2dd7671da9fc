/**
 * One writer per run directory: a lease row inside the run's own database, taken in a
 * `BEGIN IMMEDIATE` transaction (SQLite serialises those, so two processes can never both see the
 * lease free and both take it). A plain read of the row comes first (WAL readers never wait), so a
 * live holder that is mid-write is named at once rather than reported as "database is locked". The holder renews a heartbeat every few seconds and deletes the
 * row when it closes; a lease whose holder is gone is taken over: its heartbeat is older than
 * {@link LEASE_STALE_MS}, or (on this host) its pid no longer exists, or the pid exists but is
 * another process — on Linux the lease records the holder's start time (`/proc/PID/stat` field 22)
 * and boot id, so a pid the OS reused for an unrelated process, or a lease from before a reboot,
 * does not keep the run locked. Elsewhere, and for leases written before these were recorded, the
 * pid alone decides. Every stored batch checks, in its own transaction, that the lease is still
 * ours, so even a wrongly taken-over lease cannot mix two writers' batches.
 */
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { OrchestratorError } from '../errors.js';

/** Period of the holder's heartbeat. */
export const LEASE_HEARTBEAT_MS = 5_000;
/** A lease not renewed for this long is stale (its holder hung, or lives on another host and died). */
export const LEASE_STALE_MS = 60_000;

/** Who holds a run directory. */
export interface LeaseHolder {
  pid: number;
  host: string;
  /** When the holder took the lease (ms since the epoch). */
  since: number;
  /** Last renewal (ms since the epoch). */
  heartbeat: number;
  /**
   * The holder's start time (Linux: `/proc/PID/stat` field 22, clock ticks since boot, as a
   * decimal string); null where it could not be read (another OS) or in a lease written before it
   * was recorded.
   */
  start?: string | null;
  /** The holder's boot id (Linux: `/proc/sys/kernel/random/boot_id`); null as for `start`. */
  boot?: string | null;
}

const LEASE_SCHEMA = `CREATE TABLE IF NOT EXISTS lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  token TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  since INTEGER NOT NULL,
  heartbeat INTEGER NOT NULL,
  start TEXT,
  boot TEXT
) STRICT`;

/** Columns added to the lease table after run directories with the first schema existed (added on the next write). */
const LEASE_ADDED_COLUMNS = ['start', 'boot'] as const;

interface RawLease extends LeaseHolder {
  token: string;
}

/** True when `pid` names a live process on this host (EPERM: alive, owned by someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The start time of process `pid` (Linux: field 22 of `/proc/PID/stat`, clock ticks since boot),
 * or null when it cannot be read (no /proc: another OS; the process is gone or hidden).
 */
export function processStartTime(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // Field 2 (the command name) is in parentheses and may itself hold spaces and ')': the fields
  // after it start at the last ')'. They are fields 3, 4, …, so field 22 is the 20th of them.
  const rest = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
  const start = rest[22 - 3];
  return start !== undefined && /^\d+$/.test(start) ? start : null;
}

let ownBoot: string | null | undefined;

/** This host's boot id (Linux: `/proc/sys/kernel/random/boot_id`), or null where there is none. */
export function bootId(): string | null {
  if (ownBoot === undefined) {
    try {
      const id = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
      ownBoot = id === '' ? null : id;
    } catch {
      ownBoot = null;
    }
  }
  return ownBoot;
}

/**
 * Whether a recorded holder is gone, judged from this host at `now`: its heartbeat is older than
 * {@link LEASE_STALE_MS}; or it is on this host and the boot id it recorded is not this boot's, or
 * its pid does not exist, or its pid exists but started at another time than the holder recorded
 * (the pid was reused). A start time or boot id that was not recorded (an old lease, another OS) or
 * cannot be read now is not evidence: then the pid alone decides. A holder on another host is
 * judged by its heartbeat only.
 */
export function isStale(holder: LeaseHolder, now: number, host = hostname()): boolean {
  if (now - holder.heartbeat > LEASE_STALE_MS) return true;
  if (holder.host !== host) return false;
  const boot = bootId();
  if (holder.boot != null && boot !== null && holder.boot !== boot) return true;
  if (holder.pid !== process.pid && !alive(holder.pid)) return true;
  if (holder.start == null) return false;
  const start = processStartTime(holder.pid);
  return start !== null && start !== holder.start;
}

/** The error a second writer gets (exit 2): who holds the directory, since when, what to do. */
export function lockedError(dir: string, h: LeaseHolder): OrchestratorError {
  return new OrchestratorError(
    'E_LOCKED',
    `run ${dir} is being written by pid ${h.pid} on ${h.host} since ${new Date(h.since).toISOString()}; wait or stop it`,
  );
}

/** A held lease: renews itself until released. */
export class Lease {
  private readonly db: Database.Database;
  private readonly dir: string;
  readonly token = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private readonly check: Database.Statement;

  private constructor(db: Database.Database, dir: string) {
    this.db = db;
    this.dir = dir;
    // `*`: a lease table of the first schema has no start/boot columns (read as absent).
    this.check = db.prepare('SELECT * FROM lease WHERE id = 1');
  }

  /**
   * Take the run directory's lease, taking over a stale one; throws `E_LOCKED` (exit 2) naming the
   * live holder otherwise.
   */
  static acquire(db: Database.Database, dir: string): Lease {
    // A plain read first: in WAL mode it never waits for a writer, so a live holder is named at
    // once, even one that is in the middle of a write transaction (or stopped there, by SIGSTOP or
    // a debugger), where the write transaction below could only time out with "database is locked".
    const live = leaseHolder(db);
    if (live) throw lockedError(dir, live);
    try {
      return Lease.take(db, dir);
    } catch (e) {
      if (!isBusy(e)) throw e;
      // Another process holds the write lock: it took the lease between our read and our write,
      // or it is a writer of a run made before leases.
      const holder = leaseHolder(db);
      if (holder) throw lockedError(dir, holder);
      throw new OrchestratorError('E_LOCKED', `run ${dir} is being written by another process (its database stayed locked); wait or stop it`, {
        cause: e,
      });
    }
  }

  /** Take the lease in one `BEGIN IMMEDIATE` transaction (throws SQLITE_BUSY when another process writes). */
  private static take(db: Database.Database, dir: string): Lease {
    db.exec(LEASE_SCHEMA);
    const lease = new Lease(db, dir);
    const now = Date.now();
    const take = db.transaction(() => {
      const cur = lease.check.get() as RawLease | undefined;
      if (cur && !isStale(cur, now)) throw lockedError(dir, cur);
      // A run directory made before start/boot were recorded: add the columns (inside the write
      // transaction, so two processes cannot both add them).
      const have = new Set((db.prepare('PRAGMA table_info(lease)').all() as Array<{ name: string }>).map((c) => c.name));
      for (const c of LEASE_ADDED_COLUMNS) if (!have.has(c)) db.exec(`ALTER TABLE lease ADD COLUMN ${c} TEXT`);
      db.prepare('INSERT OR REPLACE INTO lease (id, token, pid, host, since, heartbeat, start, boot) VALUES (1, ?, ?, ?, ?, ?, ?, ?)').run(
        lease.token,
        process.pid,
        hostname(),
        now,
        now,
        processStartTime(process.pid),
        bootId(),
      );
    });
    take.immediate();
    const renew = db.prepare('UPDATE lease SET heartbeat = ? WHERE id = 1 AND token = ?');
    lease.timer = setInterval(() => {
      try {
        if (db.open) renew.run(Date.now(), lease.token);
      } catch {
        // A busy or failing database: the next renewal tries again; assertHeld decides at the next batch.
      }
    }, LEASE_HEARTBEAT_MS);
    lease.timer.unref();
    return lease;
  }

  /** Throws `E_LOCKED` unless this lease is still the directory's (call inside a write transaction). */
  assertHeld(): void {
    const cur = this.check.get() as RawLease | undefined;
    if (cur?.token === this.token) return;
    if (cur) throw lockedError(this.dir, cur);
    throw new OrchestratorError('E_LOCKED', `run ${this.dir}: this process's write lease was removed by another process; stop and resume`);
  }

  /** Stop renewing and give the directory up (only if it is still ours). */
  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      if (this.db.open) this.db.prepare('DELETE FROM lease WHERE id = 1 AND token = ?').run(this.token);
    } catch {
      // A crashed or read-only database: the lease goes stale and is taken over.
    }
  }
}

/** True for SQLite's "database is locked" family (SQLITE_BUSY and its extended codes). */
function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** The current holder of a run database's lease, or undefined (for probes that must not take it). */
export function leaseHolder(db: Database.Database): LeaseHolder | undefined {
  try {
    const r = db.prepare('SELECT * FROM lease WHERE id = 1').get() as RawLease | undefined;
    if (!r || isStale(r, Date.now())) return undefined;
    return { pid: r.pid, host: r.host, since: r.since, heartbeat: r.heartbeat, start: r.start ?? null, boot: r.boot ?? null };
  } catch {
    return undefined; // no lease table: a run made before leases, never locked
  }
}
