#!/usr/bin/python3
"""Reference vectors for @quantprune/quantizers, computed independently with PyTorch.

Run with Debian's python3-torch (apt-get install python3-torch), i.e. /usr/bin/python3:

    /usr/bin/python3 datasets/vectors/quantizers/generate.py

Writes one <case>.json per quantizer next to this script, in onnxruntime's test-vector shape
(name, cases[], inputs[{name, data, dims, dtype}], outputs[...], tolerance). Every formula below is written
from the papers / specs, not from the TypeScript code:
  - sign / STE: BinaryNet (Courbariaux et al. 2016), Larq `ste_sign` (inclusive |x| <= 1 gate)
  - XNOR-Net: Rastegari et al. 2016, alpha = mean|W| per output filter
  - DoReFa: Zhou et al. 2016 and Paper A's code (shared/reference/papers.md A.3.2)
  - uniform: ONNX QuantizeLinear (round half to even, saturate) + onnxruntime compute_scale_zp
  - LSQ: Esser et al. 2020, the grad_scale / round_pass formulation, gradients by torch autograd
  - ADMM levels: Paper B's Caffe code (papers.md B.3.3)
"""
import json
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(20240605)
gen = torch.Generator().manual_seed(5)


def f32list(t):
    # Shortest decimal that round-trips to the same float32 (Float32Array.from restores it exactly).
    a = t.detach().to(torch.float32).reshape(-1).numpy()
    out = []
    for v in a:
        if np.isnan(v):
            out.append("NaN")
        elif np.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            s = np.format_float_positional(v, unique=True, trim="-")
            out.append(float(s) if ("." in s or "e" in s) else int(s))
    return out


def tensor(name, t, dtype="float32"):
    if dtype == "float32":
        data = f32list(t)
    else:
        data = [int(v) for v in t.reshape(-1).tolist()]
    return {"name": name, "data": data, "dims": list(t.shape), "dtype": dtype}


def scalar(name, v, dtype="float32"):
    return tensor(name, torch.tensor([v], dtype=torch.float64 if dtype == "float64" else torch.float32), "float32")


def write(name, cases, tolerance, note):
    doc = {"name": name, "generator": "datasets/vectors/quantizers/generate.py (torch %s)" % torch.__version__,
           "note": note, "tolerance": tolerance, "cases": cases}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen) * scale).to(torch.float32)


# ---------------------------------------------------------------- binary + STE
def binary():
    x = randn(60, scale=1.5)
    x = torch.cat([x, torch.tensor([0.0, -0.0, 1.0, -1.0])])
    dy = randn(64)
    plus = torch.where(x >= 0, 1.0, -1.0)          # Larq / LCE: sign(0) = +1
    torch_sign = torch.sign(x)                      # torch.sign: sign(0) = 0
    gate = (x.abs() <= 1).to(torch.float32) * dy    # Larq ste_sign: |x| <= 1 inclusive
    cases = [{
        "name": "sign and STE gates",
        "inputs": [tensor("x", x), tensor("dy", dy)],
        "outputs": [tensor("sign_plus_one", plus), tensor("sign_torch", torch_sign),
                    tensor("grad_identity", dy), tensor("grad_hardtanh", gate)],
    }]
    write("binary", cases, {"float32": 0}, "sign(x) with sign(0)=+1 (Larq) and sign(0)=0 (torch.sign); STE gradients")


# ---------------------------------------------------------------- XNOR
def xnor():
    w = randn(4, 3, 3, 3, scale=0.2)  # torch OIHW
    w[1, 0, 0, 0] = 0.0
    alpha_c = w.double().abs().mean(dim=(1, 2, 3), keepdim=True).float()
    alpha_t = w.double().abs().mean().float()
    sgn = torch.where(w >= 0, 1.0, -1.0)
    cases = [
        {"name": "per output channel (OIHW, axis 0)", "attributes": {"axis": 0},
         "inputs": [tensor("w", w)],
         "outputs": [tensor("values", sgn * alpha_c), tensor("alpha", alpha_c.reshape(-1))]},
        {"name": "per tensor", "attributes": {},
         "inputs": [tensor("w", w)],
         "outputs": [tensor("values", sgn * alpha_t), tensor("alpha", alpha_t.reshape(1))]},
        {"name": "per output channel, sign(0)=0", "attributes": {"axis": 0, "signOfZero": 0},
         "inputs": [tensor("w", w)],
         "outputs": [tensor("values", torch.sign(w) * alpha_c), tensor("alpha", alpha_c.reshape(-1))]},
    ]
    write("xnor", cases, {"float32": 1e-6}, "sign(w) * mean|w|, mean accumulated in float64 then rounded to float32")


# ---------------------------------------------------------------- DoReFa
def dorefa_tanh(w, k):
    n = 2 ** k - 1
    t = torch.tanh(w)
    m = t.abs().max()
    u = t / (2 * m) + 0.5
    code = torch.round(u * n)  # torch.round: half to even
    values = (2 * code.double() / n - 1).float()
    return code.to(torch.int64), values


def dorefa():
    w = torch.cat([randn(120, scale=0.3), torch.tensor([0.0, 2.5, -3.0, 0.01, -0.01, 1e-4, 0.7, -0.7])])
    cases = []
    for k in (1, 2, 3, 4, 8):
        code, values = dorefa_tanh(w, k)
        cases.append({"name": "weights k=%d" % k, "attributes": {"bits": k},
                      "inputs": [tensor("w", w)],
                      "outputs": [tensor("values", values), tensor("codes", code, "uint8")]})
    write("dorefa-weights", cases, {"float32": 0},
          "2*round_k(tanh(w)/(2 max|tanh w|) + 1/2) - 1, round_k(u) = round((2^k-1) u)/(2^k-1), max over the tensor")

    x = torch.cat([randn(100, scale=0.8) + 0.4, torch.tensor([-1.0, 0.0, 1.0, 2.0, 1 / 6, 0.5, 5 / 6])])
    cases = []
    for k in (1, 2, 3, 4, 8):
        n = 2 ** k - 1
        code = torch.round(torch.clamp(x, 0, 1) * n)
        cases.append({"name": "activations clip k=%d" % k, "attributes": {"bits": k, "variant": "clip"},
                      "inputs": [tensor("x", x)],
                      "outputs": [tensor("values", (code.double() / n).float()), tensor("codes", code.to(torch.int64), "uint8")]})
    for k in (2, 4):
        code, values = dorefa_tanh(x, k)
        cases.append({"name": "activations tanh k=%d" % k, "attributes": {"bits": k, "variant": "tanh"},
                      "inputs": [tensor("x", x)],
                      "outputs": [tensor("values", values), tensor("codes", code, "uint8")]})
    write("dorefa-activations", cases, {"float32": 0},
          "round_k(clip(x, 0, 1)) (DoReFa paper) and the tanh-normalised weight formula applied to activations (Paper A code)")


# ---------------------------------------------------------------- uniform (ONNX QuantizeLinear)
def qrange(k, scheme, narrow):
    if scheme == "affine":
        return 0, 2 ** k - 1
    h = 2 ** (k - 1)
    return (1 - h if narrow else -h), h - 1


def params_from_range(rmin, rmax, scheme, qmin, qmax):
    # onnxruntime quantization tool compute_scale_zp, in float32
    rmin = torch.minimum(rmin, torch.zeros_like(rmin))
    rmax = torch.maximum(rmax, torch.zeros_like(rmax))
    if scheme == "symmetric":
        a = torch.maximum(rmin.abs(), rmax.abs())
        rmin, rmax = -a, a
    scale = (rmax - rmin) / float(qmax - qmin)
    scale = torch.where(scale == 0, torch.ones_like(scale), scale)
    if scheme == "symmetric":
        zp = torch.zeros_like(scale)
    else:
        zp = torch.clamp(torch.round(float(qmin) - rmin / scale), qmin, qmax)
    return scale, zp


def quantize_linear(x, scale, zp, qmin, qmax):
    q = torch.clamp(torch.round(x / scale) + zp, qmin, qmax)
    return q, (q - zp) * scale


def reduce_dims(x, axis):
    return [d for d in range(x.dim()) if d != axis]


def view_params(t, x, axis):
    if axis is None:
        return t
    shape = [1] * x.dim()
    shape[axis] = -1
    return t.reshape(shape)


def uniform_case(x, k, scheme, narrow, axis, calibration):
    qmin, qmax = qrange(k, scheme, narrow)
    if axis is None:
        rmin, rmax = x.min().reshape(1), x.max().reshape(1)
    else:
        dims = reduce_dims(x, axis)
        rmin, rmax = x.amin(dim=dims), x.amax(dim=dims)
    if calibration == "minmax":
        scale, zp = params_from_range(rmin, rmax, scheme, qmin, qmax)
    else:
        # MSE: shrink the range by 101 factors in [0.5, 1] (float32), keep the first minimum per group (float64 error)
        groups = rmin.numel()
        best = torch.full((groups,), float("inf"), dtype=torch.float64)
        scale = torch.zeros(groups)
        zp = torch.zeros(groups)
        for j in range(101):
            f = torch.tensor(0.5 + 0.5 * j / 100, dtype=torch.float64).float()
            s, z = params_from_range(f * rmin, f * rmax, scheme, qmin, qmax)
            _, xh = quantize_linear(x, view_params(s, x, axis), view_params(z, x, axis), qmin, qmax)
            d = (x.double() - xh.double()) ** 2
            err = d.sum().reshape(1) if axis is None else d.sum(dim=reduce_dims(x, axis))
            better = err < best
            best = torch.where(better, err, best)
            scale = torch.where(better, s, scale)
            zp = torch.where(better, z, zp)
    q, xh = quantize_linear(x, view_params(scale, x, axis), view_params(zp, x, axis), qmin, qmax)
    attrs = {"bits": k, "scheme": scheme, "narrow": narrow, "calibration": calibration}
    if axis is not None:
        attrs["axis"] = axis
    return {"name": "%s k=%d%s %s %s" % (scheme, k, " narrow" if narrow else "", "per-tensor" if axis is None else "axis %d" % axis, calibration),
            "attributes": attrs,
            "inputs": [tensor("x", x)],
            "outputs": [tensor("values", xh), tensor("intCodes", q.to(torch.int64), "int32"),
                        tensor("scale", scale.reshape(-1)), tensor("zeroPoint", zp.reshape(-1).to(torch.int64), "int32")]}


def uniform():
    x = randn(4, 24, scale=0.5) + torch.tensor([[0.3], [-0.2], [1.0], [0.0]])
    x[3] = x[3].abs()  # a channel with no negative values (range widened to contain 0)
    cases = []
    for k in (2, 4, 8):
        for scheme, narrow in (("affine", False), ("symmetric", False), ("symmetric", True)):
            for axis in (None, 0):
                cases.append(uniform_case(x, k, scheme, narrow, axis, "minmax"))
    xt = x.t().contiguous()  # channels last: [24, 4], axis 1 (or -1)
    cases.append(uniform_case(xt, 4, "affine", False, 1, "minmax"))
    for scheme in ("affine", "symmetric"):
        cases.append(uniform_case(x, 4, scheme, False, None, "mse"))
        cases.append(uniform_case(x, 3, scheme, False, 0, "mse"))
    # Given parameters and exact ties: QuantizeLinear rounds half to even and saturates.
    ties = torch.tensor([-3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 100.0, -100.0, 0.25, 0.75], dtype=torch.float32)
    q, xh = quantize_linear(ties, torch.tensor(1.0), torch.tensor(0.0), -8, 7)
    cases.append({"name": "given scale 1, ties to even, saturation (symmetric k=4)",
                  "attributes": {"bits": 4, "scheme": "symmetric", "scale": 1.0, "zeroPoint": 0},
                  "inputs": [tensor("x", ties)],
                  "outputs": [tensor("values", xh), tensor("intCodes", q.to(torch.int64), "int32"),
                              tensor("scale", torch.tensor([1.0])), tensor("zeroPoint", torch.tensor([0]), "int32")]})
    q, xh = quantize_linear(ties, torch.tensor(0.5), torch.tensor(7.0), 0, 15)
    cases.append({"name": "given scale 0.5 zero point 7, ties (affine k=4)",
                  "attributes": {"bits": 4, "scheme": "affine", "scale": 0.5, "zeroPoint": 7},
                  "inputs": [tensor("x", ties)],
                  "outputs": [tensor("values", xh), tensor("intCodes", q.to(torch.int64), "int32"),
                              tensor("scale", torch.tensor([0.5])), tensor("zeroPoint", torch.tensor([7]), "int32")]})
    write("uniform", cases, {"float32": 0}, "ONNX QuantizeLinear/DequantizeLinear with onnxruntime min/max calibration, float32 throughout")


# ---------------------------------------------------------------- LSQ
def grad_scale(x, scale):
    return (x - x * scale).detach() + x * scale


def round_pass(x):
    return (x.round() - x).detach() + x


def lsq():
    cases = []
    for k, signed in ((2, True), (3, True), (4, True), (4, False)):
        qn, qp = (2 ** (k - 1), 2 ** (k - 1) - 1) if signed else (0, 2 ** k - 1)
        x = randn(50) if signed else (randn(50) * 0.7 + 0.5)
        x = torch.cat([x, torch.tensor([0.0, 5.0, -5.0])])
        step0 = float(2 * x.double().abs().mean() / np.sqrt(qp))  # LSQ init, float64
        s = torch.tensor(np.float32(step0 * 0.8), requires_grad=True)
        v = x.clone().requires_grad_(True)
        g = 1.0 / np.sqrt(x.numel() * qp)
        dy = randn(x.numel())
        ss = grad_scale(s, g)
        vhat = round_pass(torch.clamp(v / ss, -qn, qp)) * ss
        (vhat * dy).sum().backward()
        cases.append({"name": "k=%d %s" % (k, "signed" if signed else "unsigned"),
                      "attributes": {"bits": k, "signed": signed, "step": float(s.detach()), "gradScale": g,
                                     "initStep": float(np.float32(step0))},
                      "inputs": [tensor("x", x), tensor("dy", dy)],
                      "outputs": [tensor("values", vhat), tensor("dx", v.grad), tensor("dstep", s.grad.reshape(1))]})
    write("lsq", cases, {"float32": 1e-5}, "Esser et al. 2020: v/s clipped to [-Qn, Qp], round half even, grad_scale g = 1/sqrt(N Qp); torch autograd")


# ---------------------------------------------------------------- Paper B levels
def admm():
    cases = []
    w = randn(80, scale=0.4).double()
    w[::7] = 0.0  # pruned weights
    for c in (1, 2, 4):
        a = w.abs()
        q0 = float(a.max()) / c
        best, best_q = float("inf"), q0
        for i in range(201):
            q = q0 * (0.9 + 0.001 * i)
            j = torch.clamp(torch.floor(a / q + 0.5), 1, c)
            err = float(((a - j * q) ** 2).sum())
            if err < best:
                best, best_q = err, q
        q = float(np.float32(best_q))
        j = torch.clamp(torch.floor(a / q + 0.5), 1, c)
        values = torch.where(w == 0, torch.zeros_like(w), torch.sign(w) * j * q)
        cases.append({"name": "clusters=%d" % c, "attributes": {"clusters": c, "keepZeros": True},
                      "inputs": [tensor("w", w.float())],
                      "outputs": [tensor("values", values.float()), tensor("step", torch.tensor([q]))]})
    write("admm-levels", cases, {"float32": 1e-6}, "Paper B (ADMM-NN code) projection onto {±q..±cq}, zeros kept, q by a 201-point MSE scan")


if __name__ == "__main__":
    binary()
    xnor()
    dorefa()
    uniform()
    lsq()
    admm()
    print("wrote", sorted(f for f in os.listdir(HERE) if f.endswith(".json")))
