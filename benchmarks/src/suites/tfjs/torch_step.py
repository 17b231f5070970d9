"""PyTorch CPU reference of the tfjs/vs-pytorch benchmark: training steps per second of the same networks.

One training step = forward, softmax cross-entropy, backward, SGD (momentum 0.9) update, on random data,
exactly the step the TF.js side times. Networks (mirroring @quantprune/graph's zoo and applyPrecision):
  lenet5          conv 20@5x5 -> maxpool 2 -> conv 50@5x5 -> maxpool 2 -> fc 500 -> ReLU -> fc 10
  lenet5 bnn      conv2 and fc1: sign weights (identity STE) and sign inputs (hardtanh STE)
  resnet20        CIFAR ResNet-20, option-A (zero-pad) shortcuts, batch-stat BatchNorm
  resnet20 dorefa every conv but the first: DoReFa W2 weights and W2-formula (tanh) inputs, round STE

Usage: /usr/bin/python3 torch_step.py '<json list of {"model","precision","threads","batch","steps","warmup"}>'
Prints one JSON object per configuration: {"ms": [per-step wall ms], "torch": version, "threads": n}.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SignSTE(torch.autograd.Function):
    """sign (x >= 0 -> +1) with a straight-through gradient, gated by |x| <= 1 (hardtanh) or not (identity)."""

    @staticmethod
    def forward(ctx, x, hardtanh):
        ctx.save_for_backward(x)
        ctx.hardtanh = hardtanh
        return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return (dy * (x.abs() <= 1).to(dy.dtype) if ctx.hardtanh else dy), None


class RoundSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.round(x)

    @staticmethod
    def backward(ctx, dy):
        return dy


def dorefa2(w):
    """DoReFa 2-bit formula 2*round_k(tanh(w)/(2 max|tanh w|) + 1/2) - 1 with a straight-through round."""
    n = 3.0
    t = torch.tanh(w)
    u = t / (2 * t.abs().max().clamp_min(1.1754944e-38)) + 0.5
    return (2 * RoundSTE.apply(u * n) - n) / n


class QConv(nn.Conv2d):
    def __init__(self, *args, quant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quant = quant

    def forward(self, x):
        if self.quant == "bnn":
            return F.conv2d(SignSTE.apply(x, True), SignSTE.apply(self.weight, False), self.bias, self.stride, self.padding)
        if self.quant == "dorefa":
            return F.conv2d(dorefa2(x), dorefa2(self.weight), self.bias, self.stride, self.padding)
        return super().forward(x)


class QLinear(nn.Linear):
    def __init__(self, *args, quant=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.quant = quant

    def forward(self, x):
        if self.quant == "bnn":
            return F.linear(SignSTE.apply(x, True), SignSTE.apply(self.weight, False), self.bias)
        return super().forward(x)


class LeNet5(nn.Module):
    def __init__(self, quant):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = QConv(20, 50, 5, quant=quant)
        self.fc1 = QLinear(800, 500, quant=quant)
        self.fc2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride, quant):
        super().__init__()
        self.conv1 = QConv(cin, cout, 3, stride=stride, padding=1, bias=False, quant=quant)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = QConv(cout, cout, 3, padding=1, bias=False, quant=quant)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = (cout - cin) // 2 if stride != 1 or cin != cout else None

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        short = x if self.pad is None else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        return F.relu(out + short)


class ResNet20(nn.Module):
    def __init__(self, quant):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for cout, stride in ((16, 1), (32, 2), (64, 2)):
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1, quant))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1))


def run(cfg):
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    quant = None if cfg["precision"] == "fp32" else cfg["precision"]
    model = LeNet5(quant) if cfg["model"] == "lenet5" else ResNet20(quant)
    shape = (cfg["batch"], 1, 28, 28) if cfg["model"] == "lenet5" else (cfg["batch"], 3, 32, 32)
    x = torch.rand(shape)
    y = torch.randint(0, 10, (cfg["batch"],))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    ms = []
    for i in range(cfg["warmup"] + cfg["steps"]):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= cfg["warmup"]:
            ms.append((time.perf_counter() - t0) * 1000)
    return {"ms": ms, "torch": torch.__version__, "threads": torch.get_num_threads()}


if __name__ == "__main__":
    for c in json.loads(sys.argv[1]):
        print(json.dumps(run(c)), flush=True)
