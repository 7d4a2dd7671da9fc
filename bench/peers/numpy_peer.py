"""NumPy peer: hand-written forward/backward (what a careful user writes without a framework).

Run with OPENBLAS_NUM_THREADS=1 (the JS side sets it) so BLAS uses one thread, like every other
implementation in the comparison.
"""
import numpy as np

from peer_common import main, time_runs, unpack_mlp


def mlp_arrays(task, dtype):
    dims = task["dims"]
    flat = np.asarray(task["params"], dtype=np.float64)
    layers = []
    for (w0, w1, rows, cols), (b0, b1) in unpack_mlp(dims, flat):
        layers.append((flat[w0:w1].reshape(rows, cols).astype(dtype), flat[b0:b1].astype(dtype)))
    x = np.asarray(task["x"], dtype=dtype).reshape(task["points"], dims[0])
    y = np.asarray(task["y"], dtype=dtype).reshape(task["points"], dims[-1])
    return layers, x, y


def forward(layers, x):
    """Return (pre-activations of hidden layers, activations incl. input, output)."""
    acts = [x]
    pres = []
    h = x
    last = len(layers) - 1
    for l, (w, b) in enumerate(layers):
        z = h @ w.T
        z += b
        if l < last:
            pres.append(z)
            h = np.maximum(z, 0)
        else:
            h = z
        acts.append(h)
    return pres, acts, h


def gd_steps(layers, x, y, lr, steps):
    """Full-batch GD on mean((φ(x) − y)²), updating layers in place."""
    n = x.shape[0]
    last = len(layers) - 1
    for _ in range(steps):
        pres, acts, out = forward(layers, x)
        d = out - y
        d *= 2.0 / n
        for l in range(last, -1, -1):
            w, b = layers[l]
            gw = d.T @ acts[l]
            gb = d.sum(axis=0)
            if l > 0:
                d = d @ w  # uses W_l before its update
                d *= pres[l - 1] > 0
            w -= lr * gw
            b -= lr * gb


def mse(layers, x, y):
    return float(np.mean((forward(layers, x)[2] - y) ** 2))


def run_mlp(task, job):
    dtype = np.float32 if job.get("dtype") == "float32" else np.float64
    lr = dtype(task["lr"])
    state = {}

    def body():
        layers, x, y = mlp_arrays(task, dtype)  # fresh copy of the initial parameters each run
        state["layers"], state["x"], state["y"] = layers, x, y
        gd_steps(layers, x, y, lr, task["steps"])

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return secs, {"finalLoss": mse(state["layers"], state["x"], state["y"])}


def run_gemm(task, job):
    m, k, n = task["m"], task["k"], task["n"]
    a = np.asarray(task["a"], dtype=np.float64).reshape(m, k)
    b = np.asarray(task["b"], dtype=np.float64).reshape(k, n)
    inner = task.get("inner", 20)
    c = np.empty((m, n))

    def body():
        for _ in range(inner):
            np.matmul(a, b, out=c)

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / inner for s in secs], {"checksum": float(c.sum())}


def prox_gd(x, y, w, v, lam, lr, steps):
    """Proximal GD on (1/r)Σ(Σ_i v_i ρ(w_i·x) − y)² + λ(‖v‖₁ + ‖w‖₁); w, v updated in place."""
    r = y.shape[0]
    t = lr * lam
    for _ in range(steps):
        h = x @ w.T  # r×W pre-activations
        a = np.maximum(h, 0)
        e = a @ v - y
        e *= 2.0 / r
        gv = a.T @ e
        gh = np.outer(e, v)
        gh *= h > 0
        gw = gh.T @ x
        v -= lr * gv
        w -= lr * gw
        # soft-threshold: the proximal step of the ℓ1 penalty
        np.copysign(np.maximum(np.abs(v) - t, 0), v, out=v)
        np.copysign(np.maximum(np.abs(w) - t, 0), w, out=w)
    a = np.maximum(x @ w.T, 0)
    cost = float(np.mean((a @ v - y) ** 2) + lam * (np.abs(v).sum() + np.abs(w).sum()))
    return cost, (v @ np.maximum(w, 0)).tolist()


def run_noncomputability(task, job):
    d, W = task["d"], task["width"]
    members = []
    for key in ("plus", "minus"):
        members.append((np.asarray(task[key]["x"], dtype=np.float64).reshape(-1, d), np.asarray(task[key]["y"], dtype=np.float64)))
    w0 = np.asarray(task["w0"], dtype=np.float64).reshape(W, d)
    v0 = np.asarray(task["v0"], dtype=np.float64)
    trials = task.get("trials", 1)
    out = {}

    def body():
        for _ in range(trials):
            res = []
            for x, y in members:
                res.append(prox_gd(x, y, w0.copy(), v0.copy(), task["lambda"], task["lr"], task["steps"]))
            out["res"] = res

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / trials for s in secs], {"final": [{"cost": c, "probes": p} for c, p in out["res"]]}


def adam_train(layers, x, y, lr, b1, b2, eps, epochs):
    """Full-batch Adam on mean((φ(x) − y)²), in place (the update torch.optim.Adam makes)."""
    n = x.shape[0]
    last = len(layers) - 1
    m = [(np.zeros_like(w), np.zeros_like(b)) for w, b in layers]
    v = [(np.zeros_like(w), np.zeros_like(b)) for w, b in layers]
    for t in range(1, epochs + 1):
        pres, acts, out = forward(layers, x)
        d = (out - y) * (2.0 / n)
        c1 = 1 - b1 ** t
        c2 = 1 - b2 ** t
        for l in range(last, -1, -1):
            w, b = layers[l]
            gw = d.T @ acts[l]
            gb = d.sum(axis=0)
            if l > 0:
                d = d @ w
                d *= pres[l - 1] > 0
            for p_, g, mm, vv in ((w, gw, m[l][0], v[l][0]), (b, gb, m[l][1], v[l][1])):
                mm *= b1
                mm += (1 - b1) * g
                vv *= b2
                vv += (1 - b2) * g * g
                p_ -= lr * (mm / c1) / (np.sqrt(vv / c2) + eps)


def input_grad(layers, x, gout):
    """∂(Σ_b gout_b·φ(x_b))/∂x for a batch x (backpropagation to the inputs)."""
    pres, _, out = forward(layers, x)
    d = gout.reshape(-1, 1)
    for l in range(len(layers) - 1, -1, -1):
        d = d @ layers[l][0]
        if l > 0:
            d *= pres[l - 1] > 0
    return d, out


def run_instability(task, job):
    dims = task["dims"]
    d = dims[0]
    flat = np.asarray(task["params"], dtype=np.float64)
    spec = unpack_mlp(dims, flat)
    xt = np.asarray(task["xT"], dtype=np.float64).reshape(-1, d)
    yt = np.asarray(task["yT"], dtype=np.float64).reshape(-1, 1)
    xa = np.asarray(task["xAll"], dtype=np.float64).reshape(-1, d)
    ya = np.asarray(task["yAll"], dtype=np.float64)
    starts = np.asarray(task["starts"], dtype=np.float64).reshape(len(task["radii"]), -1, d)
    trials = task.get("trials", 1)
    out = {}

    def one_trial():
        layers = [(flat[w0:w1].reshape(r, c).copy(), flat[b0:b1].copy()) for (w0, w1, r, c), (b0, b1) in spec]
        adam_train(layers, xt, yt, task["lr"], task["beta1"], task["beta2"], task["eps"], task["epochs"])
        phi = forward(layers, xa)[2][:, 0]
        correct = np.abs(phi - ya) < 0.5
        sgn = 1.0 - 2.0 * ya  # ascend (1 − 2y)·φ: away from the label
        robust = []
        for q, rho in enumerate(task["radii"]):
            eta = starts[q] * rho
            alpha = 2.5 * rho / task["pgdSteps"]
            for _ in range(task["pgdSteps"]):
                g, _ = input_grad(layers, xa + eta, sgn)
                eta += alpha * np.sign(g)
                np.clip(eta, -rho, rho, out=eta)
            phi_adv = forward(layers, xa + eta)[2][:, 0]
            robust.append(int(np.sum(correct & (np.abs(phi_adv - ya) < 0.5))))
        loss = float(np.mean((forward(layers, xt)[2] - yt) ** 2))
        out["res"] = {"finalLoss": loss, "correct": int(correct.sum()), "robust": robust}

    def body():
        for _ in range(trials):
            one_trial()

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / trials for s in secs], out["res"]


def info():
    import os
    cfg = {}
    try:
        import threadpoolctl  # optional: tells which BLAS numpy really uses
        cfg["blas"] = threadpoolctl.threadpool_info()
    except Exception:
        pass
    return {
        "impl": "numpy",
        "version": np.__version__,
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        **cfg,
    }


if __name__ == "__main__":
    main({"mlp-train": run_mlp, "gemm": run_gemm, "noncomputability": run_noncomputability, "instability": run_instability}, info)
