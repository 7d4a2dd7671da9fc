"""Batched peers of the whole-trial workloads W3 and W4: T independent trials in one vectorised
call, as a researcher writes a Monte-Carlo sweep in NumPy or PyTorch (or a compiled loop over
trials in Numba).

Unlike numpy_peer.py / torch_peer.py (one job per process) this peer is a session: it reads one
JSON request per line on stdin and answers one JSON line per request, so the JS side can interleave
its own measurements with the peer's in one run (core, peer, core, peer, ...) on a shared machine.

Requests:
  {"cmd": "setup", "task": {...}}                 the workload (W3 or W4), as the JS side built it
  {"cmd": "run", "impl": I, "layout": L, "T": T, "minSeconds": s}
      runs whole batches of T trials until s seconds of wall time have passed (at least one
      batch) and replies {"ok": true, "trials": n, "wall": seconds, "cpu": CPU-seconds, "check": {...}}.
      I is "numpy", "torch" or "numba"; L is "lead" (trial axis first) or "last" (trial axis
      last). CPU time is time.process_time() of this process (one BLAS/OpenMP/torch thread).
  {"cmd": "quit"}

The maths of one trial is the core's (packages/core-wasm, src/noncomputability and
assembly/noncomputability for W4; assembly/instability for W3), batched over trials:
W4 (algorithm gd): He-normal init per trial, shared by both signs of the pair; `steps` steps of
  θ ← S_{lr·λ}(θ − lr·∇MSE) on each member's data; then the probes φ(e_k), dist to the minimiser
  s*·z_{k*}, success at every ε and the cost C on the data. Left out (done by the core, not here):
  the exact BigInt oracle (the data arrive already read, exactly), the Philox streams (NumPy's
  generator draws the same distributions), the theorem checks.
W3: Adam full-batch training of 2→8→8→1 on each trial's own training set, then PGD-20 (ℓ∞, random
  start) at three radii on all 128 points of T ∪ V and the robust counts. Left out: the e₁ line
  search and the IBP/CROWN certified radii (no peer offers certification).
Trial 0 of every batch starts from the task's own initial parameters, so its result can be
compared with the core's reference values (the "check" of the reply).
"""
import time

import numpy as np

from peer_common import session, single_thread_torch

try:
    import torch

    single_thread_torch(torch)
except Exception:  # torch missing: requests for it fail with a clear message
    torch = None

try:
    import numba
except Exception:
    numba = None


# ---------------------------------------------------------------- W4: noncomputability, gd

def w4_inits(task, T, rng):
    """He-normal (w, v) for T trials (trial 0 = the task's w0, v0): w (T, W, d), v (T, W)."""
    d, W = task["d"], task["width"]
    w = rng.standard_normal((T, W, d)) * np.sqrt(2.0 / d)
    v = rng.standard_normal((T, W)) * np.sqrt(2.0 / W)
    w[0] = np.asarray(task["w0"], dtype=np.float64).reshape(W, d)
    v[0] = np.asarray(task["v0"], dtype=np.float64)
    return w, v


def w4_data(task):
    d = task["d"]
    X = np.stack([np.asarray(task[k]["x"], dtype=np.float64).reshape(-1, d) for k in ("plus", "minus")])  # (2, r, d)
    Y = np.stack([np.asarray(task[k]["y"], dtype=np.float64) for k in ("plus", "minus")])  # (2, r)
    return X, Y


def soft_np(z, t):
    """sign(z)·max(|z| − t, 0) in place."""
    a = np.abs(z)
    a -= t
    np.maximum(a, 0.0, out=a)
    np.copysign(a, z, out=z)


def w4_numpy_lead(task, w, v, X, Y):
    """Trials on the leading axis: w (2, T, W, d), v (2, T, W); X (2, r, d), Y (2, r)."""
    r = X.shape[1]
    lr, t = task["lr"], task["lr"] * task["lambda"]
    Xt = X.transpose(0, 2, 1)[:, None]  # (2, 1, d, r)
    Xb = X[:, None]  # (2, 1, r, d)
    Yb = Y[:, None]  # (2, 1, r)
    for _ in range(task["steps"]):
        H = np.matmul(w, Xt)  # (2, T, W, r)
        A = np.maximum(H, 0.0)
        e = np.matmul(v[:, :, None, :], A)[:, :, 0, :]  # (2, T, r)
        e -= Yb
        e *= 2.0 / r
        gv = np.matmul(A, e[..., None])[..., 0]  # (2, T, W)
        gh = v[..., None] * e[:, :, None, :]
        gh *= H > 0
        gw = np.matmul(gh, Xb)  # (2, T, W, d)
        gv *= lr
        gw *= lr
        v -= gv
        w -= gw
        soft_np(v, t)
        soft_np(w, t)
    return w, v


def w4_numpy_last(task, w, v, X, Y):
    """Trials on the last axis: w (W, d, 2, T), v (W, 2, T); X (r, d, 2), Y (r, 2)."""
    W, d = w.shape[0], w.shape[1]
    r = X.shape[0]
    lr, t = task["lr"], task["lr"] * task["lambda"]
    xs = [X[None, :, k, :, None] for k in range(d)]  # (1, r, 2, 1) each
    Yb = Y[:, :, None]
    for _ in range(task["steps"]):
        H = w[:, 0][:, None] * xs[0]  # (W, r, 2, T)
        for k in range(1, d):
            H += w[:, k][:, None] * xs[k]
        A = np.maximum(H, 0.0)
        A *= v[:, None]
        e = A.sum(axis=0)  # (r, 2, T)
        e -= Yb
        e *= 2.0 / r
        np.maximum(H, 0.0, out=A)
        A *= e[None]
        gv = A.sum(axis=1)  # (W, 2, T)
        mask = H > 0
        gh = v[:, None] * e[None]
        gh *= mask
        gv *= lr
        for k in range(d):
            g = (gh * xs[k]).sum(axis=1)
            g *= lr
            w[:, k] -= g
        v -= gv
        soft_np(v, t)
        soft_np(w, t)
    return w, v


def soft_torch(p, t):
    """sign(p)·max(|p| − t, 0) in place (the proximal step of the ℓ1 penalty)."""
    p.copy_(torch.sign(p) * torch.clamp(p.abs() - t, min=0))


def w4_torch_lead(task, w, v, X, Y):
    r = X.shape[1]
    lr, t = task["lr"], task["lr"] * task["lambda"]
    Xt = X.transpose(1, 2)[:, None]
    Xb = X[:, None]
    Yb = Y[:, None]
    for _ in range(task["steps"]):
        H = torch.matmul(w, Xt)
        A = torch.relu(H)
        e = torch.matmul(v[:, :, None, :], A)[:, :, 0, :]
        e -= Yb
        e *= 2.0 / r
        gv = torch.matmul(A, e[..., None])[..., 0]
        gh = v[..., None] * e[:, :, None, :]
        gh *= H > 0
        gw = torch.matmul(gh, Xb)
        v.sub_(gv, alpha=lr)
        w.sub_(gw, alpha=lr)
        soft_torch(v, t)
        soft_torch(w, t)
    return w, v


def w4_torch_last(task, w, v, X, Y):
    W, d = w.shape[0], w.shape[1]
    r = X.shape[0]
    lr, t = task["lr"], task["lr"] * task["lambda"]
    xs = [X[None, :, k, :, None] for k in range(d)]
    Yb = Y[:, :, None]
    for _ in range(task["steps"]):
        H = w[:, 0][:, None] * xs[0]
        for k in range(1, d):
            H += w[:, k][:, None] * xs[k]
        A = torch.relu(H)
        e = (A * v[:, None]).sum(dim=0)
        e -= Yb
        e *= 2.0 / r
        gv = (A * e[None]).sum(dim=1)
        gh = v[:, None] * e[None]
        gh *= H > 0
        for k in range(d):
            w[:, k].sub_((gh * xs[k]).sum(dim=1), alpha=lr)
        v.sub_(gv, alpha=lr)
        soft_torch(v, t)
        soft_torch(w, t)
    return w, v


_numba_w4 = None


def numba_w4():
    """A compiled loop over trials and signs, the scalar maths of one trial (no fastmath)."""
    global _numba_w4
    if _numba_w4 is None:
        if numba is None:
            raise RuntimeError("numba is not installed (Debian: python3-numba)")

        @numba.njit(cache=False, fastmath=False)
        def run(w, v, X, Y, steps, lr, t):
            S, T, W, d = w.shape
            r = X.shape[1]
            h = np.empty(W)
            gw = np.empty((W, d))
            gv = np.empty(W)
            for s in range(S):
                for tr in range(T):
                    ww = w[s, tr]
                    vv = v[s, tr]
                    for _ in range(steps):
                        gw[:] = 0.0
                        gv[:] = 0.0
                        for j in range(r):
                            phi = 0.0
                            for i in range(W):
                                acc = 0.0
                                for k in range(d):
                                    acc += ww[i, k] * X[s, j, k]
                                h[i] = acc
                                if acc > 0.0:
                                    phi += vv[i] * acc
                            e = (phi - Y[s, j]) * (2.0 / r)
                            for i in range(W):
                                if h[i] > 0.0:
                                    gv[i] += e * h[i]
                                    ge = e * vv[i]
                                    for k in range(d):
                                        gw[i, k] += ge * X[s, j, k]
                        for i in range(W):
                            z = vv[i] - lr * gv[i]
                            m = abs(z) - t
                            vv[i] = np.copysign(m, z) if m > 0.0 else 0.0
                            for k in range(d):
                                z = ww[i, k] - lr * gw[i, k]
                                m = abs(z) - t
                                ww[i, k] = np.copysign(m, z) if m > 0.0 else 0.0
            return w, v

        _numba_w4 = run
    return _numba_w4


def w4_evaluate(task, w, v, X, Y, lib):
    """Probes, dist, success at every ε and cost, for leading-layout numpy arrays (2, T, ...)."""
    d = task["d"]
    probes = np.einsum("stw,stwk->stk", v, np.maximum(w, 0.0))  # (2, T, d)
    target = np.zeros((2, 1, d))
    target[0, 0, 0] = task["sStar"]
    target[1, 0, 1] = task["sStar"]
    dist = np.abs(probes - target).max(axis=2)  # (2, T)
    eps = np.asarray(task["epsilons"])
    success = dist[..., None] <= eps  # (2, T, E)
    H = np.maximum(np.matmul(w, X.transpose(0, 2, 1)[:, None]), 0.0)
    phi = np.matmul(v[:, :, None, :], H)[:, :, 0, :]
    cost = ((phi - Y[:, None]) ** 2).mean(axis=2) + task["lambda"] * (np.abs(v).sum(axis=2) + np.abs(w).sum(axis=(2, 3)))
    return {
        "trial0": [{"cost": float(cost[s, 0]), "probes": probes[s, 0].tolist()} for s in range(2)],
        "successRate": success.mean(axis=(0, 1)).tolist(),
    }


def to_last(w, v):
    """Leading layout (2, T, W, d) / (2, T, W) → trials-last (W, d, 2, T) / (W, 2, T), contiguous."""
    return np.ascontiguousarray(w.transpose(2, 3, 0, 1)), np.ascontiguousarray(v.transpose(2, 0, 1))


def from_last(w, v):
    """The inverse of to_last (views)."""
    return w.transpose(2, 3, 0, 1), v.transpose(1, 2, 0)


class W4:
    def __init__(self, task):
        self.task = task
        self.X, self.Y = w4_data(task)
        self.rng = np.random.default_rng(7)

    def batch(self, impl, layout, T):
        task = self.task
        w1, v1 = w4_inits(task, T, self.rng)
        # both signs of a trial start from the same θ (the paired design)
        w = np.ascontiguousarray(np.broadcast_to(w1, (2,) + w1.shape))
        v = np.ascontiguousarray(np.broadcast_to(v1, (2,) + v1.shape))
        if impl == "numba":
            w, v = numba_w4()(w, v, self.X, self.Y, task["steps"], task["lr"], task["lr"] * task["lambda"])
        elif impl == "numpy" and layout == "lead":
            w, v = w4_numpy_lead(task, w, v, self.X, self.Y)
        elif impl == "numpy":
            w, v = from_last(*w4_numpy_last(task, *to_last(w, v), self.X.transpose(1, 2, 0), self.Y.T))
        elif impl == "torch":
            if torch is None:
                raise RuntimeError("torch is not installed (Debian: python3-torch)")
            X, Y = torch.from_numpy(self.X), torch.from_numpy(self.Y)
            if layout == "lead":
                wt, vt = w4_torch_lead(task, torch.from_numpy(w), torch.from_numpy(v), X, Y)
                w, v = wt.numpy(), vt.numpy()
            else:
                wl, vl = (torch.from_numpy(a) for a in to_last(w, v))
                wl, vl = w4_torch_last(task, wl, vl, X.permute(1, 2, 0), Y.T)
                w, v = from_last(wl.numpy(), vl.numpy())
        else:
            raise ValueError("unknown impl/layout %r/%r" % (impl, layout))
        return w4_evaluate(task, np.ascontiguousarray(w), np.ascontiguousarray(v), self.X, self.Y, impl)


# ---------------------------------------------------------------- W3: instability, train + PGD

class W3:
    """Trials differ by their data set and initial network: the task carries `variants` of both
    (drawn by the JS side from the core's own samplers); trial i uses variant i mod len."""

    def __init__(self, task):
        self.task = task
        dims = task["dims"]
        self.dims = dims
        V = task["variants"]
        d = dims[0]
        self.xT = np.stack([np.asarray(x["xT"], dtype=np.float64).reshape(-1, d) for x in V])
        self.yT = np.stack([np.asarray(x["yT"], dtype=np.float64).reshape(-1, 1) for x in V])
        self.xA = np.stack([np.asarray(x["xAll"], dtype=np.float64).reshape(-1, d) for x in V])
        self.yA = np.stack([np.asarray(x["yAll"], dtype=np.float64) for x in V])
        self.params = [np.asarray(x["params"], dtype=np.float64) for x in V]
        self.starts = np.asarray(task["starts"], dtype=np.float64).reshape(len(task["radii"]), -1, d)

    def tile(self, a, T):
        reps = -(-T // a.shape[0])
        return np.ascontiguousarray(np.concatenate([a] * reps)[:T])

    def layers(self, T):
        out = []
        off = 0
        dims = self.dims
        P = np.stack(self.params)
        for l in range(1, len(dims)):
            no, ni = dims[l], dims[l - 1]
            Wm = P[:, off:off + no * ni].reshape(-1, no, ni)
            off += no * ni
            b = P[:, off:off + no]
            off += no
            out.append([self.tile(Wm, T), self.tile(b, T)])
        return out

    def batch(self, impl, layout, T):
        if layout != "lead":
            raise ValueError("W3 is batched on the leading axis only (batched matmul)")
        xT, yT, xA, yA = (self.tile(a, T) for a in (self.xT, self.yT, self.xA, self.yA))
        layers = self.layers(T)
        if impl == "numpy":
            return w3_numpy(self.task, layers, xT, yT, xA, yA, self.starts)
        if impl == "torch":
            if torch is None:
                raise RuntimeError("torch is not installed (Debian: python3-torch)")
            tl = [[torch.from_numpy(a) for a in l] for l in layers]
            return w3_torch(self.task, tl, *(torch.from_numpy(a) for a in (xT, yT, xA, yA, self.starts)))
        raise ValueError("W3 peer %r not implemented (numpy, torch)" % impl)


def w3_numpy(task, layers, xT, yT, xA, yA, starts):
    """Batched forward/backward by matmul over (T, points, features); hand-written Adam and PGD."""
    last = len(layers) - 1

    def forward(x):
        pres, acts, h = [], [x], x
        for l, (Wm, b) in enumerate(layers):
            z = np.matmul(h, Wm.transpose(0, 2, 1))
            z += b[:, None, :]
            if l < last:
                pres.append(z)
                h = np.maximum(z, 0.0)
            else:
                h = z
            acts.append(h)
        return pres, acts, h

    b1, b2, eps, lr = task["beta1"], task["beta2"], task["eps"], task["lr"]
    n = xT.shape[1]
    m = [[np.zeros_like(p) for p in l] for l in layers]
    v = [[np.zeros_like(p) for p in l] for l in layers]
    for t in range(1, task["epochs"] + 1):
        pres, acts, out = forward(xT)
        dd = (out - yT) * (2.0 / n)
        c1 = 1 - b1 ** t
        c2 = 1 - b2 ** t
        for l in range(last, -1, -1):
            Wm, b = layers[l]
            gw = np.matmul(dd.transpose(0, 2, 1), acts[l])
            gb = dd.sum(axis=1)
            if l > 0:
                dd = np.matmul(dd, Wm)
                dd *= pres[l - 1] > 0
            for p_, g, mm, vv in ((Wm, gw, m[l][0], v[l][0]), (b, gb, m[l][1], v[l][1])):
                mm *= b1
                mm += (1 - b1) * g
                vv *= b2
                vv += (1 - b2) * g * g
                p_ -= lr * (mm / c1) / (np.sqrt(vv / c2) + eps)
    phi = forward(xA)[2][..., 0]
    correct = np.abs(phi - yA) < 0.5
    sgn = (1.0 - 2.0 * yA)[..., None]
    robust = []
    for q, rho in enumerate(task["radii"]):
        eta = np.broadcast_to(starts[q] * rho, xA.shape).copy()
        alpha = 2.5 * rho / task["pgdSteps"]
        for _ in range(task["pgdSteps"]):
            pres, _, _ = forward(xA + eta)
            dd = sgn
            for l in range(last, -1, -1):
                dd = np.matmul(dd, layers[l][0])
                if l > 0:
                    dd *= pres[l - 1] > 0
            eta += alpha * np.sign(dd)
            np.clip(eta, -rho, rho, out=eta)
        phi_adv = forward(xA + eta)[2][..., 0]
        robust.append((correct & (np.abs(phi_adv - yA) < 0.5)).sum(axis=1))
    return {"trial0": {"correct": int(correct[0].sum()), "robust": [int(r[0]) for r in robust]}}


def w3_torch(task, layers, xT, yT, xA, yA, starts):
    last = len(layers) - 1

    def forward(x):
        pres, acts, h = [], [x], x
        for l, (Wm, b) in enumerate(layers):
            z = torch.baddbmm(b[:, None, :], h, Wm.transpose(1, 2))
            if l < last:
                pres.append(z)
                h = torch.relu(z)
            else:
                h = z
            acts.append(h)
        return pres, acts, h

    b1, b2, eps, lr = task["beta1"], task["beta2"], task["eps"], task["lr"]
    n = xT.shape[1]
    m = [[torch.zeros_like(p) for p in l] for l in layers]
    v = [[torch.zeros_like(p) for p in l] for l in layers]
    for t in range(1, task["epochs"] + 1):
        pres, acts, out = forward(xT)
        dd = (out - yT) * (2.0 / n)
        c1 = 1 - b1 ** t
        c2 = 1 - b2 ** t
        for l in range(last, -1, -1):
            Wm, b = layers[l]
            gw = torch.bmm(dd.transpose(1, 2), acts[l])
            gb = dd.sum(dim=1)
            if l > 0:
                dd = torch.bmm(dd, Wm)
                dd *= pres[l - 1] > 0
            for p_, g, mm, vv in ((Wm, gw, m[l][0], v[l][0]), (b, gb, m[l][1], v[l][1])):
                mm.mul_(b1).add_(g, alpha=1 - b1)
                vv.mul_(b2).addcmul_(g, g, value=1 - b2)
                p_.sub_(lr * (mm / c1) / ((vv / c2).sqrt_() + eps))
    phi = forward(xA)[2][..., 0]
    correct = (phi - yA).abs() < 0.5
    sgn = (1.0 - 2.0 * yA)[..., None]
    robust = []
    for q, rho in enumerate(task["radii"]):
        eta = (starts[q] * rho).expand_as(xA).clone()
        alpha = 2.5 * rho / task["pgdSteps"]
        for _ in range(task["pgdSteps"]):
            pres, _, _ = forward(xA + eta)
            dd = sgn
            for l in range(last, -1, -1):
                dd = torch.matmul(dd, layers[l][0])
                if l > 0:
                    dd = dd * (pres[l - 1] > 0)
            eta.add_(torch.sign(dd), alpha=alpha).clamp_(-rho, rho)
        phi_adv = forward(xA + eta)[2][..., 0]
        robust.append((correct & ((phi_adv - yA).abs() < 0.5)).sum(dim=1))
    return {"trial0": {"correct": int(correct[0].sum()), "robust": [int(r[0]) for r in robust]}}


# ---------------------------------------------------------------- session loop

def info():
    return {
        "numpy": np.__version__,
        "torch": getattr(torch, "__version__", None),
        "torchThreads": torch.get_num_threads() if torch is not None else None,
        "numba": getattr(numba, "__version__", None),
    }


class Session:
    """The request handler of the session (see the module comment); the loop is peer_common.session."""

    def __init__(self):
        self.work = None

    def __call__(self, req):
        cmd = req["cmd"]
        if cmd == "setup":
            task = req["task"]
            self.work = W4(task) if task["kind"] == "noncomputability" else W3(task)
            return {"ok": True, **info()}
        if cmd != "run":
            raise ValueError("unknown cmd %r" % cmd)
        if self.work is None:
            raise RuntimeError("run before setup")
        impl, layout, T = req["impl"], req.get("layout", "lead"), int(req["T"])
        min_s = float(req.get("minSeconds", 0))
        trials = 0
        w0, c0 = time.perf_counter(), time.process_time()
        while True:
            check = self.work.batch(impl, layout, T)
            trials += T
            if time.perf_counter() - w0 >= min_s:
                break
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        return {"ok": True, "trials": trials, "wall": wall, "cpu": cpu, "check": check}


if __name__ == "__main__":
    session(Session())
