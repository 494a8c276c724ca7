#!/usr/bin/python3
"""PyTorch's samples/s on the steps `npm run bench` times (not run in CI): MLPs 784-256-10 (W1) and
784-1000-1000-10 (W2), Adam (lr 1e-3), batch 128, cross-entropy, a shuffled pass over 60,000
standardized digits, at 1 and 2 threads; rounds of a fixed number of steps, reported as a range.

    /usr/bin/python3 scripts/bench-pytorch-mlp.py [--rounds 5] [--w1-steps 200] [--w2-steps 30]
"""
import argparse
import os
import time

import torch

BATCH = 128
MODELS = {"W1 784-256-10": [784, 256, 10], "W2 784-1000-1000-10": [784, 1000, 1000, 10]}


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        if i > 0:
            layers.append(torch.nn.ReLU())
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
    return torch.nn.Sequential(*layers)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--w1-steps", type=int, default=200)
    parser.add_argument("--w2-steps", type=int, default=30)
    args = parser.parse_args()
    steps = {"W1 784-256-10": args.w1_steps, "W2 784-1000-1000-10": args.w2_steps}
    generator = torch.Generator().manual_seed(0)
    # Random standardized "digits": the step's cost does not depend on the values.
    x = torch.randn(60000, 784, generator=generator)
    y = torch.randint(0, 10, (60000,), generator=generator)
    print(f"PyTorch {torch.__version__}, BLAS: {blas_name()}, load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"samples/s, Adam (lr 1e-3), batch {BATCH}, range over {args.rounds} rounds after a warm-up round")
    for name, widths in MODELS.items():
        for threads in (1, 2):
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            model = mlp(widths)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            data = batches(x, y, generator)
            time_steps(model, optimizer, data, max(5, steps[name] // 5))
            rates = [time_steps(model, optimizer, data, steps[name]) for _ in range(args.rounds)]
            print(f"{name:22s} {threads} thread{'s' if threads > 1 else ' '}  {min(rates):8.0f}–{max(rates):.0f}")
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def blas_name():
    config = torch.__config__.show()
    for line in config.splitlines():
        if "BLAS_INFO" in line:
            return line.split("BLAS_INFO=")[1].split(",")[0]
    return "unknown"


if __name__ == "__main__":
    main()
