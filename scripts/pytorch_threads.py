"""Thread settings for the PyTorch comparison scripts. PyTorch has two thread pools: its own (OpenMP,
torch.set_num_threads: elementwise ops, oneDNN convolutions) and OpenBLAS's, which runs the matrix
products and which torch.set_num_threads does not touch (left alone, it keeps every core). So
"1 thread" pins both to one, and "2 threads" is measured in each of the three ways to use two cores;
the best is PyTorch's figure."""
import ctypes

import torch

# (torch's threads, OpenBLAS's threads) for each thread count.
CONFIGS = {1: [(1, 1)], 2: [(2, 1), (1, 2), (2, 2)]}


def openblas():
    """The OpenBLAS library torch's products go to (the object torch loaded), to set its thread count."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line and ".so" in line}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib
    raise SystemExit("torch does not use OpenBLAS here: this comparison needs Debian's python3-torch with libopenblas0-pthread")


def use(blas, torch_threads, blas_threads):
    torch.set_num_threads(torch_threads)
    blas.openblas_set_num_threads(blas_threads)
