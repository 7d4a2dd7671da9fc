"""Shared plumbing of the Python peers (numpy_peer.py, torch_peer.py: one job per process;
batched_peer.py: a session of requests): read JSON from stdin, time, print JSON.

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


def single_thread_torch(torch):
    """One intra-op and one inter-op thread, like every other implementation in the comparison."""
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set once in this process


def error_reply(e):
    """The reply for a failed job or request: the JS side prints it; it must never look like a timing."""
    return {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}


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
    except Exception as e:
        reply(error_reply(e))
        sys.exit(1)


def session(handle):
    """A request loop: one JSON request per stdin line, handle(request) -> reply dict, one JSON
    reply per line, until {"cmd": "quit"} or end of input. An exception becomes an error reply."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if req["cmd"] == "quit":
                break
            res = handle(req)
        except Exception as e:
            res = error_reply(e)
        reply(res)
