"""PyTorch peer: the code a PyTorch user would write (nn.Sequential, autograd, optim.SGD),
on the CPU with one intra-op and one inter-op thread."""
import torch
import torch.nn.functional as F

from peer_common import main, time_runs, unpack_mlp

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass  # already set once in this process


def build_mlp(task, dtype):
    dims = task["dims"]
    flat = torch.tensor(task["params"], dtype=torch.float64)
    mods = []
    for l, ((w0, w1, rows, cols), (b0, b1)) in enumerate(unpack_mlp(dims, flat)):
        lin = torch.nn.Linear(cols, rows, bias=True).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(flat[w0:w1].reshape(rows, cols))
            lin.bias.copy_(flat[b0:b1])
        mods.append(lin)
        if l < len(dims) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def run_mlp(task, job):
    dtype = torch.float32 if job.get("dtype") == "float32" else torch.float64
    dims = task["dims"]
    x = torch.tensor(task["x"], dtype=dtype).reshape(task["points"], dims[0])
    y = torch.tensor(task["y"], dtype=dtype).reshape(task["points"], dims[-1])
    state = {}

    def body():
        model = build_mlp(task, dtype)
        opt = torch.optim.SGD(model.parameters(), lr=task["lr"])
        for _ in range(task["steps"]):
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
        state["model"] = model

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    with torch.no_grad():
        final = float(F.mse_loss(state["model"](x), y))
    return secs, {"finalLoss": final}


def run_gemm(task, job):
    m, k, n = task["m"], task["k"], task["n"]
    a = torch.tensor(task["a"], dtype=torch.float64).reshape(m, k)
    b = torch.tensor(task["b"], dtype=torch.float64).reshape(k, n)
    c = torch.empty((m, n), dtype=torch.float64)
    inner = task.get("inner", 20)

    def body():
        for _ in range(inner):
            torch.mm(a, b, out=c)

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / inner for s in secs], {"checksum": float(c.sum())}


def prox_gd(x, y, w0, v0, lam, lr, steps):
    """Proximal GD with autograd for the smooth part and a soft-threshold for the ℓ1 penalty."""
    w = w0.clone().requires_grad_(True)
    v = v0.clone().requires_grad_(True)
    t = lr * lam
    for _ in range(steps):
        loss = ((torch.relu(x @ w.T) @ v - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in (w, v):
                p -= lr * p.grad
                p.copy_(torch.sign(p) * torch.clamp(p.abs() - t, min=0))
                p.grad = None
    with torch.no_grad():
        cost = float(((torch.relu(x @ w.T) @ v - y) ** 2).mean() + lam * (v.abs().sum() + w.abs().sum()))
        probes = (v @ torch.relu(w)).tolist()
    return cost, probes


def run_noncomputability(task, job):
    d, W = task["d"], task["width"]
    members = []
    for key in ("plus", "minus"):
        members.append((torch.tensor(task[key]["x"], dtype=torch.float64).reshape(-1, d), torch.tensor(task[key]["y"], dtype=torch.float64)))
    w0 = torch.tensor(task["w0"], dtype=torch.float64).reshape(W, d)
    v0 = torch.tensor(task["v0"], dtype=torch.float64)
    trials = task.get("trials", 1)
    out = {}

    def body():
        for _ in range(trials):
            out["res"] = [prox_gd(x, y, w0, v0, task["lambda"], task["lr"], task["steps"]) for x, y in members]

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / trials for s in secs], {"final": [{"cost": c, "probes": p} for c, p in out["res"]]}


def run_instability(task, job):
    dims = task["dims"]
    d = dims[0]
    dt = torch.float64
    xt = torch.tensor(task["xT"], dtype=dt).reshape(-1, d)
    yt = torch.tensor(task["yT"], dtype=dt).reshape(-1, 1)
    xa = torch.tensor(task["xAll"], dtype=dt).reshape(-1, d)
    ya = torch.tensor(task["yAll"], dtype=dt)
    starts = torch.tensor(task["starts"], dtype=dt).reshape(len(task["radii"]), -1, d)
    trials = task.get("trials", 1)
    out = {}

    def one_trial():
        model = build_mlp(task, dt)
        opt = torch.optim.Adam(model.parameters(), lr=task["lr"], betas=(task["beta1"], task["beta2"]), eps=task["eps"])
        for _ in range(task["epochs"]):
            opt.zero_grad(set_to_none=True)
            F.mse_loss(model(xt), yt).backward()
            opt.step()
        for p in model.parameters():
            p.requires_grad_(False)
        with torch.no_grad():
            phi = model(xa)[:, 0]
            correct = (phi - ya).abs() < 0.5
        sgn = 1.0 - 2.0 * ya
        robust = []
        for q, rho in enumerate(task["radii"]):
            eta = (starts[q] * rho).clone()
            alpha = 2.5 * rho / task["pgdSteps"]
            for _ in range(task["pgdSteps"]):
                eta.requires_grad_(True)
                obj = (model(xa + eta)[:, 0] * sgn).sum()
                (g,) = torch.autograd.grad(obj, eta)
                with torch.no_grad():
                    eta = (eta + alpha * g.sign()).clamp_(-rho, rho)
            with torch.no_grad():
                phi_adv = model(xa + eta)[:, 0]
                robust.append(int((correct & ((phi_adv - ya).abs() < 0.5)).sum()))
        with torch.no_grad():
            loss = float(F.mse_loss(model(xt), yt))
        out["res"] = {"finalLoss": loss, "correct": int(correct.sum()), "robust": robust}

    def body():
        for _ in range(trials):
            one_trial()

    secs, _ = time_runs(body, job.get("warmup", 1), job["runs"])
    return [s / trials for s in secs], out["res"]


def info():
    return {"impl": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}


if __name__ == "__main__":
    main({"mlp-train": run_mlp, "gemm": run_gemm, "noncomputability": run_noncomputability, "instability": run_instability}, info)
