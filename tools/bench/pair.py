#!/usr/bin/python3
"""Pair Neurite's benchmark lines with a peer's by (workload, params) and print the ratios.

Usage: /usr/bin/python3 tools/bench/pair.py PEER.jsonl NEURITE.jsonl
Both files hold the JSON lines of `./neurite bench ...` and the matching ../shared/peers script
(contract 3 in DESIGN.md). Ratio = neurite / peer for rates (higher is better); for MiB the ratio is
neurite / peer too, where lower is better. other_cpu is the noise meter: above ~0.2 the line is suspect.
"""
import json
import sys


VARYING = {"effective_words", "torchvision"}


def load(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            # Run-dependent counts (word2vec's effective_words) are results, not workload parameters; the
            # peer's torchvision version describes the peer, not the workload.
            params = {k: v for k, v in r["params"].items() if k not in VARYING}
            out[(r["workload"], json.dumps(params, sort_keys=True))] = r
    return out


def main():
    peer, mine = load(sys.argv[1]), load(sys.argv[2])
    print(f"| workload | params | metric | {next(iter(peer.values()))['peer'] if peer else 'peer'} | neurite | ratio | noise (peer / neurite) |")
    print("|---|---|---|---|---|---|---|")
    for key, p in peer.items():
        n = mine.get(key)
        if n is None:
            continue
        params = json.loads(key[1])
        short = ", ".join(f"{k}={v}" for k, v in params.items() if k not in ("dtype", "config", "input", "batch"))
        ratio = n["median"] / p["median"] if p["median"] else float("nan")
        print(f"| {key[0]} | {short} | {p['metric']} | {p['median']:.1f} | {n['median']:.1f} | {ratio:.2f} | "
              f"{p.get('other_cpu', '?')} / {n.get('other_cpu', '?')} |")


if __name__ == "__main__":
    main()
