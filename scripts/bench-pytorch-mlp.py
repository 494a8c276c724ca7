#!/usr/bin/python3
"""PyTorch's samples/s on the steps `npm run bench` times (not run in CI): MLPs 784-256-10 (W1) and
784-1000-1000-10 (W2), Adam (lr 1e-3), batch 128, cross-entropy, a shuffled pass over 60,000
standardized digits; rounds of a fixed number of steps, reported as a range. Also where a step's
time goes, as `npm run bench` splits it: the step, its matrix products each timed alone, the rest.

Threads as scripts/pytorch_threads.py sets them: "1 thread" is one for PyTorch and one for OpenBLAS;
"2 threads" is each way to use two cores, and the best is PyTorch's figure.

    /usr/bin/python3 scripts/bench-pytorch-mlp.py [--rounds 5] [--w1-steps 200] [--w2-steps 30] [--warmup-seconds 2]
"""
import argparse
import os
import time

import torch

from pytorch_threads import CONFIGS, openblas, use

BATCH = 128
MODELS = {"W1 784-256-10": [784, 256, 10], "W2 784-1000-1000-10": [784, 1000, 1000, 10]}


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    return torch.nn.Sequential(*layers)


def products(widths):
    """A step's products as npm run bench lists them: per layer x·Wᵀ, dW = gᵀ·x, and dX = g·W but for the first layer."""
    out = []
    for i in range(len(widths) - 1):
        n_in, n_out = widths[i], widths[i + 1]
        x, w, g = torch.randn(BATCH, n_in), torch.randn(n_out, n_in), torch.randn(BATCH, n_out)
        out.append((x, w.t()))
        if i > 0:
            out.append((g, w))
        out.append((g.t(), x))
    return out


def products_us(widths, calls=50):
    """The step's products, each timed alone: the sum of their median calls, µs."""
    total = 0.0
    for a, b in products(widths):
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            torch.mm(a, b)
            times.append(time.perf_counter() - t0)
        total += sorted(times)[calls // 2] * 1e6
    return total


def batches(x, y, generator):
    """Endless shuffled batches, as ndgrad's DataLoader gives them."""
    while True:
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x) - BATCH + 1, BATCH):
            idx = order[start:start + BATCH]
            yield x[idx], y[idx]


def time_steps(model, optimizer, data, steps):
    loss_fn = torch.nn.CrossEntropyLoss()
    t0 = time.perf_counter()
    total = 0.0
    for _ in range(steps):
        x, y = next(data)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return steps * BATCH / (time.perf_counter() - t0)


def warm_up(model, optimizer, data, seconds):
    """Trains for `seconds`, as npm run bench does before its rounds (PyTorch needs little of it; ndgrad's code is compiled by V8 in tiers)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        time_steps(model, optimizer, data, 5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--w1-steps", type=int, default=200)
    parser.add_argument("--w2-steps", type=int, default=30)
    parser.add_argument("--warmup-seconds", type=float, default=2, help="training before the rounds, as npm run bench (--quick: 1)")
    args = parser.parse_args()
    steps = {"W1 784-256-10": args.w1_steps, "W2 784-1000-1000-10": args.w2_steps}
    blas = openblas()
    generator = torch.Generator().manual_seed(0)
    # Random standardized "digits": the step's cost does not depend on the values.
    x = torch.randn(60000, 784, generator=generator)
    y = torch.randint(0, 10, (60000,), generator=generator)
    print(f"PyTorch {torch.__version__}, OpenBLAS kernels {blas.openblas_get_corename().decode()}, load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"samples/s, Adam (lr 1e-3), batch {BATCH}, range over {args.rounds} rounds after a warm-up round; step split in µs (median rate)")
    print(f"{'model':22s} {'threads':8s} {'torch+BLAS':11s} {'samples/s':>15s}  {'step':>6s} {'products':>9s} {'the rest':>9s}")
    for name, widths in MODELS.items():
        for threads, configs in CONFIGS.items():
            results = []
            for torch_threads, blas_threads in configs:
                use(blas, torch_threads, blas_threads)
                torch.manual_seed(0)
                model = mlp(widths)
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
                data = batches(x, y, generator)
                warm_up(model, optimizer, data, args.warmup_seconds)
                rates = sorted(time_steps(model, optimizer, data, steps[name]) for _ in range(args.rounds))
                step = BATCH / rates[len(rates) // 2] * 1e6
                prod = products_us(widths)
                results.append((rates[len(rates) // 2], torch_threads, blas_threads))
                print(f"{name:22s} {threads:<8d} {f'{torch_threads}+{blas_threads}':11s} {f'{rates[0]:.0f}–{rates[-1]:.0f}':>15s}  {step:6.0f} {prod:9.0f} {step - prod:9.0f}")
            if len(results) > 1:
                best = max(results)
                print(f"{'':22s} {threads:<8d} best: {best[1]}+{best[2]} (torch+BLAS threads)")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
