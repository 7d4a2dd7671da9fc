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
    main({"mlp-train": run_mlp, "gemm": run_gemm}, info)
