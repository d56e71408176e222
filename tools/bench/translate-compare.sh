#!/usr/bin/env bash
# Trains the GRU-attention translator twice with identical settings, PyTorch first
# (tools/peers/translate_gru_attention.py), then Neurite (`./neurite bench translate`), one after the
# other so that they never share the cores, and pairs their JSON lines with tools/bench/pair.py:
# training sentences/s, test BLEU greedy and test BLEU beam.
#
# Usage: tools/bench/translate-compare.sh [OUT_DIR] [-- FLAGS...]
#   FLAGS go to both sides unchanged (default: the full Multi30k en-de run, 10 epochs, 2 threads), e.g.
#   tools/bench/translate-compare.sh /tmp/tc -- --pairs multi30k:../shared/data/multi30k --limit 300 --eval-limit 40 --epochs 2
# Writes OUT_DIR/torch.jsonl, OUT_DIR/neurite.jsonl and OUT_DIR/pair.md (default OUT_DIR: bench-results/translate).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
out="${1:-$root/bench-results/translate}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
  data="$root/../shared/data/multi30k"
  [ -d "$data" ] || data="$root/data/multi30k"
  set -- --pairs "multi30k:$data" --epochs 10 --threads 2
fi
case " $* " in *" --threads "*) ;; *) set -- "$@" --threads 2 ;; esac
mkdir -p "$out"
echo "== PyTorch: tools/peers/translate_gru_attention.py $*" >&2
/usr/bin/python3 "$root/tools/peers/translate_gru_attention.py" "$@" | tee "$out/torch.jsonl"
echo "== Neurite: ./neurite bench translate $*" >&2
"$root/neurite" bench translate "$@" | tee "$out/neurite.jsonl"
/usr/bin/python3 "$root/tools/bench/pair.py" "$out/torch.jsonl" "$out/neurite.jsonl" | tee "$out/pair.md"
