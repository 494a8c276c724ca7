#!/usr/bin/env python3
"""PyTorch's figure for the CNN section of `npm run bench`: LeNet-5 (examples/mnist/models.ts) trained with
Adam (lr 1e-3) at batch 128 on random 28x28 inputs (the work does not depend on the pixels), samples/s, and
GFLOP/s of its two conv layers forward and backward. Not part of CI; needs Debian's python3-torch.
Threads as scripts/pytorch_threads.py sets them: for 2, each way to use two cores, and the best counts.

    /usr/bin/python3 scripts/bench-pytorch-cnn.py [--threads N] [--steps S] [--batchnorm] [--warmup-seconds 2]
"""
import argparse
import time

import torch
from torch import nn

from pytorch_threads import CONFIGS, openblas, use

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--steps", type=int, default=100)
parser.add_argument("--warmup-seconds", type=float, default=2, help="training before the timing, as npm run bench (--quick: 1)")
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--batchnorm", action="store_true")
args = parser.parse_args()
torch.manual_seed(0)
blas = openblas()


def bn(layer, norm):
    return [layer, norm] if args.batchnorm else [layer]


model = nn.Sequential(
    nn.Unflatten(1, (1, 28, 28)),
    *bn(nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6)), nn.ReLU(), nn.MaxPool2d(2),
    *bn(nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16)), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    *bn(nn.Linear(400, 120), nn.BatchNorm1d(120)), nn.ReLU(),
    *bn(nn.Linear(120, 84), nn.BatchNorm1d(84)), nn.ReLU(),
    nn.Linear(84, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(args.batch, 784)
y = torch.arange(args.batch) % 10


def step():
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


def best_rate(fn, work, repeats, rounds=3):
    """The best of `rounds` timings of `repeats` calls, as work per second."""
    best = 0.0
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = max(best, work * repeats / (time.perf_counter() - t0))
    return best


best = (0.0, None)
for torch_threads, blas_threads in CONFIGS[args.threads]:
    use(blas, torch_threads, blas_threads)
    warm_until = time.perf_counter() + args.warmup_seconds
    while time.perf_counter() < warm_until:
        step()
    samples = best_rate(step, args.batch, args.steps)
    print(f"PyTorch {torch.__version__}, {torch_threads} threads + OpenBLAS {blas_threads}: LeNet-5{' + BatchNorm' if args.batchnorm else ''}, "
          f"Adam, batch {args.batch}: {samples:.0f} samples/s")
    best = max(best, (samples, (torch_threads, blas_threads)))
use(blas, *best[1])
print(f"best: {best[0]:.0f} samples/s with {best[1][0]} + {best[1][1]} threads (the conv layers below use it)")

# The conv layers alone: 2·N·O·(C/groups)·kh·kw·oh·ow flops forward; backward computes dx and dW, twice that
# (the first layer's input needs no gradient, so its backward is dW only, as in training).
for name, conv, shape, needs_dx in [("conv1 1→6 5×5 pad 2", nn.Conv2d(1, 6, 5, padding=2), (args.batch, 1, 28, 28), False),
                                     ("conv2 6→16 5×5", nn.Conv2d(6, 16, 5), (args.batch, 6, 14, 14), True)]:
    inp = torch.randn(*shape, requires_grad=needs_dx)
    out = conv(inp)
    flops = 2 * out.numel() * conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
    with torch.no_grad():
        fwd = best_rate(lambda: conv(inp), flops, 50) / 1e9
    grad = torch.randn_like(out)

    def backward():
        conv.zero_grad()
        conv(inp).backward(grad)

    both = best_rate(backward, flops * (3 if needs_dx else 2), 30) / 1e9
    print(f"  {name}: forward {fwd:.2f} GFLOP/s, forward+backward {both:.2f} GFLOP/s")
