#!/usr/bin/env bash
# ndgrad against PyTorch on the MLP steps, in alternating pairs: `npm run bench -- --only train
# --quick` (blas and wasm, 1 and 2 threads), then scripts/bench-pytorch-mlp.py with as many rounds
# and steps. On a machine whose speed drifts (this 2-core VM's 2-thread timings swing by a third
# between runs), only figures taken side by side compare. Not part of CI; needs Debian's python3-torch.
#
#   bash scripts/pair-bench-pytorch.sh [PAIRS]        # default 4; OPENBLAS_CORETYPE etc. pass through
set -euo pipefail
cd "$(dirname "$0")/.."
pairs="${1:-4}"
for ((i = 1; i <= pairs; i++)); do
  echo "== pair $i of $pairs"
  npm run --silent bench -- --only train --quick | sed -n '1,/Where a step/p' | grep -E '^│ W[12] .*│ +[12] │ +[0-9]'
  /usr/bin/python3 scripts/bench-pytorch-mlp.py --rounds 3 --w1-steps 60 --w2-steps 10 --warmup-seconds 1 | grep -E '^W[12] .* (1\+1|1\+2|2\+1) '
done
