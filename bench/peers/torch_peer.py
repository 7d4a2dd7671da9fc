"""PyTorch peer: the code a PyTorch user would write (nn.Sequential, autograd, optim.SGD),
on the CPU with one intra-op and one inter-op thread."""
import torch
import torch.nn.functional as F

from peer_common import main, single_thread_torch, time_runs, unpack_mlp

single_thread_torch(torch)


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


def info():
    return {"impl": "torch", "version": torch.__version__, "threads": torch.get_num_threads()}


if __name__ == "__main__":
    main({"mlp-train": run_mlp, "gemm": run_gemm}, info)
