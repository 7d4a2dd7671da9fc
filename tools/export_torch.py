#!/usr/bin/python3
"""Write a PyTorch network as a paradox-network/1 JSON file.

Needs only PyTorch (Debian: apt-get install python3-torch). The model must be a
torch.nn.Sequential of Linear and ReLU layers (Flatten, Identity and Dropout are allowed and
ignored; eval mode is assumed), alternating Linear, ReLU, Linear, ..., ending with a Linear.
Weights are written as the exact doubles of the stored values (an f32 weight is written as the
double it equals), so paradox analyses the real-valued network with exactly these weights.

Use it as a library:

    import torch.nn as nn
    from export_torch import export_sequential
    net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    export_sequential(net, "net.json")

or from the command line on a saved model (torch.save(model, "model.pt")):

    /usr/bin/python3 tools/export_torch.py model.pt net.json
"""
import json
import sys

import torch
import torch.nn as nn

FORMAT = "paradox-network/1"
_IGNORED = (nn.Flatten, nn.Identity, nn.Dropout)


def to_document(model):
    """The paradox-network/1 document (a dict) of a Sequential of Linear/ReLU layers."""
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"expected a torch.nn.Sequential, got {type(model).__name__}")
    layers = [(i, m) for i, m in enumerate(model) if not isinstance(m, _IGNORED)]
    if not layers:
        raise ValueError("the Sequential has no Linear layer")
    for pos, (i, m) in enumerate(layers):
        want = nn.Linear if pos % 2 == 0 else nn.ReLU
        if not isinstance(m, want):
            raise ValueError(f"layer {i} ({type(m).__name__}): expected {want.__name__}; the model must alternate Linear and ReLU and end with Linear")
    linears = [m for _, m in layers if isinstance(m, nn.Linear)]
    if isinstance(layers[-1][1], nn.ReLU):
        raise ValueError("the model ends with a ReLU; the output layer must be Linear")
    for a, b in zip(linears, linears[1:]):
        if a.out_features != b.in_features:
            raise ValueError(f"Linear({a.in_features}, {a.out_features}) is followed by Linear({b.in_features}, {b.out_features})")
    dims = [linears[0].in_features] + [m.out_features for m in linears]
    params = []
    with torch.no_grad():
        for m in linears:
            w = m.weight.detach().to(torch.float64).cpu()
            b = m.bias.detach().to(torch.float64).cpu() if m.bias is not None else torch.zeros(m.out_features, dtype=torch.float64)
            if not (torch.isfinite(w).all() and torch.isfinite(b).all()):
                raise ValueError("the model has a non-finite weight")
            params.extend(w.reshape(-1).tolist())  # row-major [out][in], as paradox stores W_l
            params.extend(b.tolist())
    return {"format": FORMAT, "dims": dims, "bias": True, "params": params}


def export_sequential(model, path):
    """Write the paradox-network/1 JSON of `model` to `path`."""
    doc = to_document(model)
    with open(path, "w") as f:
        json.dump(doc, f)  # Python writes the shortest repr that reads back to the same double
    return doc


def main(argv):
    if len(argv) != 3:
        print("usage: export_torch.py MODEL.pt OUT.json   (MODEL.pt: torch.save of a torch.nn.Sequential)", file=sys.stderr)
        return 2
    try:
        model = torch.load(argv[1], map_location="cpu", weights_only=False)
    except TypeError:  # torch < 2.0 has no weights_only
        model = torch.load(argv[1], map_location="cpu")
    try:
        doc = export_sequential(model, argv[2])
    except (TypeError, ValueError) as e:
        print(f"export_torch.py: {argv[1]}: {e}", file=sys.stderr)
        return 2
    print(f"wrote {argv[2]}: dims {doc['dims']}, {len(doc['params'])} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
