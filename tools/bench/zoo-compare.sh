#!/usr/bin/env bash
# Alternates PyTorch (../shared/peers/torch_zoo.py) and Neurite (`neurite bench zoo --onnx-dir`) N times on one
# torchvision network, 8 x 3x224x224, 2 threads, and prints each round's samples/s and ratio. On a shared
# machine whose speed drifts from minute to minute, the median of the per-round ratios is the figure to quote.
#
# Usage: tools/bench/zoo-compare.sh ONNX_DIR [N=5] [MODEL=resnet18]
#   ONNX_DIR holds MODEL.onnx as written by tools/onnx/export_torchvision.py --full --out ONNX_DIR.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
dir="${1:?usage: zoo-compare.sh ONNX_DIR [N] [MODEL]}"; n="${2:-5}"; model="${3:-resnet18}"
median() { python3 -c "import json,sys; print(json.loads([l for l in sys.stdin if l.startswith('{')][0])['median'])"; }
for i in $(seq 1 "$n"); do
  p=$(/usr/bin/python3 "$root/../shared/peers/torch_zoo.py" --models "$model" --threads 2 --blas-threads 1 2>/dev/null | median)
  q=$("$root/neurite" bench zoo --models "$model" --onnx-dir "$dir" 2>/dev/null | median)
  python3 -c "print('round $i: torch $p neurite $q ratio %.3f' % ($q / $p))"
done
