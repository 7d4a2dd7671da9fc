/**
 * Running, resuming and reporting one or several sweeps with progress, Ctrl-C handling, the HTML
 * report and the headline. `run`, `demo` and `resume` are thin layers over this file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  fileError,
  makeDirs,
  absoluteFilePaths,
  normaliseSpec,
  rememberSpecDir,
  readSummary,
  resumeRun,
  runSweep,
  type BackendName,
  type NormalisedSpec,
  type RunEvent,
  type RunResult,
  type Summary,
} from '@paradox/orchestrator';
import { command, emitJson, println, type Context } from './context.js';
import { provenance, type Provenance } from './version.js';
import { CliRuntimeError, codeOf, exitCodeOf } from './errors.js';
import { headline, headlineText, TERMS_LINE, type Headline, type Outputs } from './headline.js';
import { formatDuration, formatRate, groupInt } from './progress/format.js';
import { ProgressModel } from './progress/model.js';
import { JsonStallRenderer, PlainRenderer, TtyRenderer, type ProgressRenderer } from './progress/render.js';
import { writeReportIfAvailable, type ReportOutcome } from './report.js';
import { listRuns, openRunStore, readManifest, recordPartRunId, RUN_FILES } from '@paradox/orchestrator/run-dir';

export { listRuns };

/** Execution settings from the command line (each overrides the spec). */
export interface ExecOptions {
  workers?: number | 'auto';
  backend?: BackendName;
  redis?: string;
  /** From `--redis-password-file`: put into the session's Redis URL (see commands/run.ts sessionRedis). */
  redisPassword?: string;
  /** `--json`: NDJSON events on stdout, nothing else there. */
  json: boolean;
}

/** Exit code of an interrupted (Ctrl-C) run: the shell convention 128 + SIGINT. */
export const EXIT_INTERRUPTED = 130;
/** Exit code of a run stopped by SIGTERM: the shell convention 128 + SIGTERM. */
export const EXIT_TERMINATED = 143;

/** One sweep to run or resume. */
export interface Job {
  /** Label in progress and headline (`breakdown`, `demo/instability`). */
  label: string;
  dir: string;
  /** For a fresh run: the spec. Absent: resume `dir`. */
  spec?: NormalisedSpec;
  /** A finished run met while resuming: nothing to run, only its headline to show. */
  finished?: Summary;
  /** For a resumed part of a multi-spec run: the run id its manifest records (checked against its database). */
  expectRunId?: { runId: string; source: string };
}

/** How a session of jobs ended. */
export interface SessionResult {
  exitCode: number;
  headlines: Array<{ label: string; dir: string; headline: Headline; report: ReportOutcome }>;
}

/**
 * Ctrl-C: the first stops cleanly (in-flight batches finish and are stored, the run stays
 * resumable); a second one quits at once. SIGTERM (`timeout`, `kill`, a scheduler) means stop now:
 * the batches in flight are abandoned (a resume runs them again), the summary is written, and the
 * process exits 143 without waiting for anything that could hang.
 */
function interruptHandler(controller: AbortController, abandon: AbortController, notify: (msg: string) => void): () => void {
  let count = 0;
  const onSigterm = (): void => {
    if (!abandon.signal.aborted) notify('Stopping now (SIGTERM): batches in flight are abandoned; the run stays resumable.');
    abandon.abort();
    controller.abort();
  };
  const onSigint = (): void => {
    count += 1;
    if (count === 1) {
      notify('Stopping after the batches in flight (press Ctrl-C again to quit now)…');
      controller.abort();
    } else {
      // Quitting now skips the renderer's cleanup: show the cursor again ourselves.
      if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n');
      process.exit(EXIT_INTERRUPTED);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  return () => {
    process.removeListener('SIGINT', onSigint);
    process.removeListener('SIGTERM', onSigterm);
  };
}

function makeRenderer(ctx: Context, model: ProgressModel, json: boolean, emit: (event: Record<string, unknown>) => void): ProgressRenderer {
  if (json) return new JsonStallRenderer(model, emit);
  if (ctx.stderr.isTTY) return new TtyRenderer(model, ctx.stderr);
  return new PlainRenderer(model, ctx.stderr);
}

function describeStart(e: Extract<RunEvent, { type: 'run-started' }>, label: string, cwd: string): string {
  const p = e.progress;
  const trials = p.trialsTotalExact ? `${groupInt(p.trialsTotal)} trials` : `up to ${groupInt(p.trialsTotal)} trials`;
  const what = e.resumed ? `Resuming ${label} (${groupInt(p.trialsDone)} trials already done)` : `Running ${label}`;
  return `${what}: ${e.experiment}, ${p.cellsTotal} cells, ${trials}, ${e.backend} backend with ${e.workers} workers → ${relative(cwd, e.dir) || '.'}`;
}

/**
 * Runs or resumes the jobs in order, stopping at the first interruption. With `reportDir` (the
 * parent of a multi-spec run) one report covering every part is written there at the end;
 * otherwise each run gets its own.
 */
export async function runJobs(ctx: Context, jobs: Job[], exec: ExecOptions, reportDir?: string): Promise<SessionResult> {
  const controller = new AbortController();
  let renderer: ProgressRenderer | undefined;
  let current: string | undefined;
  const notify = (msg: string): void => {
    if (exec.json) emitJson(ctx, jobs.length > 1 && current ? { type: 'notice', message: msg, run: current } : { type: 'notice', message: msg });
    else if (renderer) renderer.log(msg);
    else println(ctx.stderr, msg);
  };
  const abandon = new AbortController();
  const detach = interruptHandler(controller, abandon, notify);
  const result: SessionResult = { exitCode: 0, headlines: [] };
  try {
    for (const job of jobs) {
      if (controller.signal.aborted) break;
      if (job.finished) {
        if (!exec.json) println(ctx.stderr, `${job.label} is already complete.`);
        const report: ReportOutcome = reportDir ? { ok: false, reason: 'pending' } : await writeReportIfAvailable(job.dir);
        result.headlines.push({ label: job.label, dir: job.dir, headline: headline(job.finished), report });
        continue;
      }
      current = job.label;
      const model = new ProgressModel(job.label);
      renderer = makeRenderer(ctx, model, exec.json, (event) => emitJson(ctx, jobs.length > 1 ? { ...event, run: job.label } : event));
      const r = renderer;
      const onEvent = (e: RunEvent): void => {
        // Also in --json mode: the model times stalls (JsonStallRenderer reads it).
        model.apply(e);
        if (e.type === 'run-started' && job.spec && reportDir) {
          // The manifest names each started part's run, so a database swapped in later is refused on resume.
          try {
            recordPartRunId(reportDir, job.dir, e.runId);
          } catch (err) {
            notify(`warning: cannot record ${job.label}'s run id in ${join(reportDir, RUN_FILES.manifest)}: ${(err as Error).message}`);
          }
        }
        if (exec.json) {
          emitJson(ctx, jobs.length > 1 ? { ...e, run: job.label } : { ...e });
          return;
        }
        if (e.type === 'run-started') r.log(describeStart(e, job.label, ctx.cwd));
        else if (e.type === 'warning') r.log(`warning: ${e.message}`);
        r.update();
      };
      const options = {
        signal: controller.signal,
        abandon: abandon.signal,
        onEvent,
        ...(exec.workers !== undefined ? { workers: exec.workers } : {}),
        ...(exec.backend !== undefined ? { backend: exec.backend } : {}),
        ...(exec.redis !== undefined ? { redis: exec.redis } : {}),
      };
      let res: RunResult;
      try {
        const now = await provenance();
        if (!job.spec) {
          const differs = provenanceChange(job.dir, now);
          if (differs) notify(`warning: ${job.label} was started by other code (${differs}); results of the finished batches come from that code, the rest from this one`);
        }
        res = job.spec
          ? await runSweep(job.spec, { ...options, outDir: job.dir, provenance: { ...now } })
          : await resumeRun(job.dir, job.expectRunId ? { ...options, expectRunId: job.expectRunId } : options);
      } catch (e) {
        throw withResumeHint(e, job.dir, ctx, reportDir);
      } finally {
        r.finish();
      }
      renderer = undefined;
      if (!exec.json) {
        println(ctx.stderr, finishedLine(res, job.label));
      }
      // Stopped by SIGTERM: no report (it can take a while on a large run; `paradox report` makes it later).
      const report: ReportOutcome = reportDir || abandon.signal.aborted ? { ok: false, reason: 'pending' } : await writeReportIfAvailable(res.dir);
      const h = headline(res.summary);
      result.headlines.push({ label: job.label, dir: res.dir, headline: h, report });
      if (res.status === 'cancelled') {
        result.exitCode = abandon.signal.aborted ? EXIT_TERMINATED : EXIT_INTERRUPTED;
        break;
      }
    }
    if (abandon.signal.aborted) {
      for (const r of result.headlines) if (!r.report.ok) r.report = { ok: false, reason: 'stopped by SIGTERM; make it with paradox report' };
    } else if (reportDir && result.headlines.length > 0) {
      const report = await writeReportIfAvailable(reportDir);
      for (const r of result.headlines) r.report = report;
    }
  } finally {
    detach();
  }
  return result;
}

/**
 * The line after a session: the trials the results use (this session's; resumed ones excluded),
 * the session's time as the orchestrator measures it (from its scheduler's start to its last
 * batch), their rate, and — when an adaptive stopping rule stopped cells while batches past the
 * stopping point were already running — how many trials were run and discarded (not in the rate).
 */
export function finishedLine(res: Pick<RunResult, 'status' | 'trialsRun' | 'trialsUsed' | 'elapsedMs'>, label: string): string {
  const rate = res.elapsedMs > 0 ? (res.trialsUsed / res.elapsedMs) * 1000 : 0;
  const verb = res.status === 'complete' ? 'Finished' : 'Stopped';
  const discarded = res.trialsRun - res.trialsUsed;
  const extra = discarded > 0 ? ` ${groupInt(discarded)} more ${discarded === 1 ? 'trial was' : 'trials were'} run past the stopping rule's decision and discarded.` : '';
  return `${verb} ${label}: ${groupInt(res.trialsUsed)} trials in ${formatDuration(res.elapsedMs)} (${formatRate(rate)} trials/s).${extra}`;
}

/**
 * How the code that started the run in `dir` (spec.json's `provenance`) differs from `now`, in
 * words (`core-wasm build 1a2b3c4d… → 5e6f7a8b…`), or undefined when it does not or is unknown.
 */
export function provenanceChange(dir: string, now: Provenance): string | undefined {
  let then: Partial<Provenance> | undefined;
  try {
    then = (JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as { provenance?: Partial<Provenance> }).provenance;
  } catch {
    return undefined;
  }
  if (!then) return undefined;
  const short = (v: unknown): string => (typeof v === 'string' && v.length > 16 ? `${v.slice(0, 12)}…` : String(v));
  const fields: Array<[keyof Provenance, string]> = [['paradox', 'paradox'], ['coreWasmSha256', 'core-wasm build'], ['gitCommit', 'git commit'], ['node', 'Node']];
  const changes = fields.filter(([k]) => k in then! && then![k] !== now[k]).map(([k, name]) => `${name} ${short(then![k])} → ${short(now[k])}`);
  return changes.length > 0 ? changes.join(', ') : undefined;
}

/**
 * A runtime failure after the run directory was created leaves a resumable run: say where it is
 * and how to continue (a theorem-guard failure is a bug to report, not something to resume).
 */
function withResumeHint(e: unknown, dir: string, ctx: Context, top?: string): unknown {
  const cwd = ctx.cwd;
  if (exitCodeOf(e) !== 1 || !existsSync(join(dir, RUN_FILES.spec))) return e;
  // A part of a multi-spec run is resumed through its top directory, which also starts the parts
  // not begun yet; resuming the part alone would leave them out.
  const rel = relative(cwd, top ?? dir) || '.';
  const location = (e as { location?: { cellKey?: string } }).location;
  const plugin = location?.cellKey?.includes('"algorithm":"plugin"') === true;
  const hint =
    codeOf(e) === 'E_THEOREM'
      ? plugin
        ? `The failing cell runs a plugin algorithm: a plugin that is not deterministic (or not a function of its inputs) breaks this check; fix the plugin. The run is kept in ${rel}.`
        : `A theorem check failed: this is a bug in paradox; please report it with the cell and seed above. The run is kept in ${rel}.`
      : `The run is kept in ${rel}; once the cause is fixed, continue it with: ${command(ctx, `resume ${rel}`)}`;
  return new CliRuntimeError(`${(e as Error).message}\n${hint}`, { code: codeOf(e), cause: e });
}

/** Prints the headline blocks (text, or one `headline` event each with `--json`). */
export function printHeadlines(ctx: Context, session: SessionResult, json: boolean, resumeDir?: string): void {
  const rel = (p: string): string => relative(ctx.cwd, p) || '.';
  // A multi-spec run has one report for all its parts: each block names its summary, the report comes last.
  const shared = resumeDir !== undefined && session.headlines.length > 0 ? session.headlines[0]!.report : undefined;
  for (const [k, { label, dir, headline: h, report }] of session.headlines.entries()) {
    if (json) {
      emitJson(ctx, { type: 'headline', run: label, dir, ...h, report: report.ok ? report.path : null, reportUnavailable: report.ok ? null : report.reason });
      continue;
    }
    println(ctx.stdout);
    // The terms line once per screen: in the last block (the demo has two).
    const terms = k === session.headlines.length - 1;
    const outputs: Outputs = report.ok && !shared ? { dir: rel(dir), report: rel(report.path), terms } : { dir: rel(dir), terms };
    if (!report.ok && !shared) outputs.noReportReason = report.reason;
    const lines = headlineText({ ...h, name: label }, outputs);
    for (const l of lines) {
      // In a multi-run directory, resume the parent rather than one child; either way, in the user's words.
      const resume = l.startsWith('Resume with: paradox resume ') ? (resumeDir ? rel(resumeDir) : l.slice('Resume with: paradox resume '.length)) : undefined;
      const line = l === TERMS_LINE ? l.replace('paradox explain TERM', command(ctx, 'explain TERM')) : l;
      println(ctx.stdout, resume !== undefined ? `Resume with: ${command(ctx, `resume ${resume}`)}` : line);
    }
  }
  if (json) return;
  if (shared) {
    println(ctx.stdout);
    println(ctx.stdout, shared.ok ? `Report (all parts): ${rel(shared.path)}` : `No HTML report: ${shared.reason.replace(/^no HTML report: /, '')}`);
  }
  if ((session.exitCode === EXIT_INTERRUPTED || session.exitCode === EXIT_TERMINATED) && resumeDir) {
    const last = session.headlines[session.headlines.length - 1];
    if (!last || last.headline.complete) println(ctx.stdout, `\nInterrupted. Resume with: ${command(ctx, `resume ${rel(resumeDir)}`)}`);
  }
}

/** The jobs that finish a run directory (single, or a manifest of several). */
export async function resumeJobs(dir: string): Promise<Job[]> {
  const manifest = readManifest(dir);
  if (!manifest) return [await resumeJob(listRuns(dir)[0]!.label, dir)];
  const jobs: Job[] = [];
  for (const r of manifest.runs) {
    const sub = join(dir, r.subdir);
    const label = `${manifest.source}/${r.name}`;
    if (!existsSync(sub)) {
      // Never started (the session stopped before it): start it now from the stored spec.
      // The manifest names the part's files relative to its directory (written by `paradox run`), and
      // where its spec file was: the part's summary names the files from there, as when it runs first time.
      const spec = normaliseSpec(absoluteFilePaths(r.spec, resolve(dir)), `${join(dir, RUN_FILES.manifest)} (${r.name})`);
      if (typeof r.specDir === 'string') rememberSpecDir(spec, resolve(dir, r.specDir));
      jobs.push({ label, dir: sub, spec });
      continue;
    }
    const job = await resumeJob(label, sub);
    if (r.runId !== undefined) job.expectRunId = { runId: r.runId, source: `${join(dir, RUN_FILES.manifest)} (part ${r.name})` };
    jobs.push(job);
  }
  return jobs;
}

/**
 * A resume job, or a finished one when the run's summary says it is complete. A finished run's
 * stored results are checked all the same (a resume is how one asks "is this run intact?"): a
 * corrupt blob fails with E_STORE naming file, cell and batch.
 */
async function resumeJob(label: string, dir: string): Promise<Job> {
  if (existsSync(join(dir, RUN_FILES.summary))) {
    const summary = await readSummary(dir).catch(() => undefined);
    if (summary?.run.complete) {
      const store = openRunStore(dir);
      try {
        store.verify();
      } finally {
        store.close();
      }
      return { label, dir, finished: summary };
    }
  }
  return { label, dir };
}

/** The summaries of a run directory (single or multi), in manifest order, with labels. */
export async function readSummaries(dir: string): Promise<Array<{ label: string; dir: string; summary: Summary }>> {
  const manifest = readManifest(dir);
  if (!manifest) return [{ label: (await readSummary(dir)).run.name, dir, summary: await readSummary(dir) }];
  const out: Array<{ label: string; dir: string; summary: Summary }> = [];
  for (const r of manifest.runs) {
    const sub = join(dir, r.subdir);
    if (!existsSync(join(sub, RUN_FILES.summary))) continue;
    out.push({ label: `${manifest.source}/${r.name}`, dir: sub, summary: await readSummary(sub) });
  }
  return out;
}

/** Makes sure the parent of a multi-spec run exists before its children are created. */
export function ensureDir(dir: string): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw fileError(e, dir, 'create the run directory');
  }
}
