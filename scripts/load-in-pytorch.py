#!/usr/bin/env python3
"""Loads a LeNet-5 saved by ndgrad into the same PyTorch model with load_state_dict, unchanged (strict), and checks
that both give the same logits. The safetensors files are read with struct and json alone (the `safetensors` pip
package is not needed). Without DIR, runs scripts/save-lenet.ts into a temporary directory first. Not part of CI.

    /usr/bin/python3 scripts/load-in-pytorch.py [DIR] [--batchnorm]
"""
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64}


def read_safetensors(path):
    """name -> tensor, and the metadata, from the layout: u64 header length, JSON header, raw little-endian data."""
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length:]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors, metadata


def lenet5(batchnorm):
    """examples/mnist/models.ts's lenet5, in PyTorch."""
    def bn(layer, norm):
        return [layer, norm] if batchnorm else [layer]
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        *bn(nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6)), nn.ReLU(), nn.MaxPool2d(2),
        *bn(nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16)), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        *bn(nn.Linear(400, 120), nn.BatchNorm1d(120)), nn.ReLU(),
        *bn(nn.Linear(120, 84), nn.BatchNorm1d(84)), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    batchnorm = "--batchnorm" in sys.argv
    root = Path(__file__).resolve().parent.parent
    if args:
        directory = Path(args[0])
    else:
        directory = Path(tempfile.mkdtemp(prefix="ndgrad-lenet-"))
        subprocess.run(["npx", "tsx", "scripts/save-lenet.ts", str(directory)] + (["--batchnorm"] if batchnorm else []), cwd=root, check=True)

    state, metadata = read_safetensors(directory / "lenet.safetensors")
    batchnorm = metadata.get("model", "").endswith("+batchnorm")
    model = lenet5(batchnorm)
    model.load_state_dict(state)  # strict: every key and shape must match
    model.eval()
    check, _ = read_safetensors(directory / "lenet-check.safetensors")
    with torch.no_grad():
        logits = model(check["inputs"])
    diff = (logits - check["logits"]).abs().max().item()
    print(f"loaded {len(state)} tensors into PyTorch's LeNet-5{' + BatchNorm' if batchnorm else ''} with load_state_dict (strict)")
    print(f"max |PyTorch logits - ndgrad logits| over {logits.numel()} values: {diff:.2e}")
    if not diff < 1e-4:
        sys.exit("the logits differ")


main()
