"""Shared plumbing of the Python peers: read one JSON job from stdin, time it, print JSON.

A job is {"task": {...}, "runs": R, "warmup": W, "dtype": "float64"|"float32"}; the task holds
the workload exactly as the JS side generated it (same data, same initial parameters, same step
count). The reply is {"ok": true, "seconds": [...], ...extra} on one line of stdout, or
{"ok": false, "error": "..."} when the job cannot run. Timings are wall-clock
(time.perf_counter) around each whole run; interpreter start-up and data loading are excluded,
as they are for the JS implementations.
"""
import json
import sys
import time


def read_job():
    return json.loads(sys.stdin.read())


def time_runs(body, warmup, runs):
    """Call body() warmup times untimed, then runs times timed; return (seconds list, last result)."""
    last = None
    for _ in range(warmup):
        last = body()
    secs = []
    for _ in range(runs):
        t0 = time.perf_counter()
        last = body()
        secs.append(time.perf_counter() - t0)
    return secs, last


def unpack_mlp(dims, flat):
    """Split the contract's flat parameter vector into [(W_l as rows×cols list slice bounds), ...]."""
    out = []
    off = 0
    for l in range(1, len(dims)):
        n_out, n_in = dims[l], dims[l - 1]
        w = (off, off + n_out * n_in, n_out, n_in)
        off += n_out * n_in
        b = (off, off + n_out)
        off += n_out
        out.append((w, b))
    if off != len(flat):
        raise ValueError("parameter vector has %d values, dims %r need %d" % (len(flat), dims, off))
    return out


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(handlers, info):
    """Dispatch the job on task.kind to handlers[kind](task, job) -> (seconds, extra dict)."""
    try:
        job = read_job()
        task = job["task"]
        kind = task["kind"]
        if kind not in handlers:
            reply({"ok": False, "error": "task kind %r is not implemented by this peer" % kind})
            return
        secs, extra = handlers[kind](task, job)
        res = {"ok": True, "seconds": secs}
        res.update(info())
        res.update(extra)
        reply(res)
    except Exception as e:  # the JS side prints the message; a crash must not look like a timing
        reply({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
        sys.exit(1)
