#!/usr/bin/python3
"""PyTorch reference for Neurite's GRU-attention translator (neurite-text's Seq2Seq + TranslationTrainer).

The same network, data, vocabularies, initialisation, optimiser and decoders as
`./neurite bench translate`, so that the two print JSON lines that tools/bench/pair.py pairs
(contract 3 in shared/DESIGN.md): training sentences/s, test BLEU greedy and test BLEU beam.
It is not a tuned PyTorch translator: it follows Neurite's choices, not the PyTorch tutorial's.

Network (Seq2Seq.java):
  encoder:  e = Embedding(src, padding_idx=0); H = BiGRU(e) over the real tokens   H: [N, S, 2h]
            s_0 = tanh(bridge([h_fwd_final; h_bwd_final]))
  decoder:  s_t = GRU(Embedding(y_{t-1}), s_{t-1})       (teacher forcing, or scheduled sampling)
            c_t = sum_j softmax_j(v^T tanh(W s_t + U H_j + b)) H_j     (padded j masked out)
            logits_t = out([s_t; c_t])
  init:     Linear weights Xavier uniform, biases 0 (Neurite's Dense); GRU and Embedding PyTorch's defaults
            (which Neurite's GRU and Embedding use too).
Loss: F.cross_entropy(ignore_index=0, label_smoothing). Adam(lr), clip_grad_norm_(clip).
Batches: a seeded shuffle, chunks of 32 batches sorted by source length, batch order shuffled
(TranslationTrainer.epoch). Data: Multi30k's pre-tokenised lower-cased files (train, filtered to
--max-len tokens a side, first --limit pairs; test_2016_flickr, first --eval-limit pairs).
Vocabularies: <pad>, <unk>, <bos>, <eos>, then tokens seen >= --min-count times in the training pairs,
by count then alphabetically (Vocabulary.Builder). Decoding: greedy in batches of 64 and beam search
(top 2*width extensions per step, GNMT length penalty alpha, greedy's hypothesis competing), output
limit min(max(2*max_len, 50), 2*source_ids + 10) per sentence. Neurite decodes the beams of 64 sentences
together; this script runs beam search one sentence at a time (same result; decode speed is not compared). BLEU: sacreBLEU when importable, else the same
corpus BLEU (13a, exp smoothing) computed here.

Usage: /usr/bin/python3 tools/peers/translate_gru_attention.py --pairs multi30k:../shared/data/multi30k \
         [--limit 0] [--eval-limit 0] [--epochs 10] [--threads 2] [--teacher-forcing 1.0[:END]] ...
"""
import argparse
import collections
import json
import math
import os
import random
import re
import resource
import statistics
import sys
import time


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", required=True, help="multi30k:DIR[:SRC-TGT]")
    ap.add_argument("--embed", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--attention-units", type=int, default=128)
    ap.add_argument("--unidirectional", action="store_true")
    ap.add_argument("--no-attention", action="store_true", help="The gru architecture (no attention).")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--teacher-forcing", default="1.0", help="START[:END], linear per epoch")
    ap.add_argument("--max-len", type=int, default=30)
    ap.add_argument("--min-count", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--eval-limit", type=int, default=0)
    ap.add_argument("--beam", type=int, default=5)
    ap.add_argument("--alpha", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--blas-threads", type=int, default=None)
    ap.add_argument("--out", default=None, help="Also write hypotheses (greedy.txt, beam.txt) and refs.txt here.")
    return ap.parse_args(argv)


# ---------------------------------------------------------------------------------------------- data

def read_multi30k(spec, split):
    parts = spec[len("multi30k:"):].split(":")
    src, tgt = (parts[1] if len(parts) > 1 else "en-de").split("-")
    tok = os.path.join(parts[0], "tok")

    def lines(lang):
        with open(os.path.join(tok, f"{split}.lc.norm.tok.{lang}"), encoding="utf-8") as f:
            return [l.rstrip("\n") for l in f]
    s, t = lines(src), lines(tgt)
    assert len(s) == len(t), f"{split}: {len(s)} source lines but {len(t)} target lines"
    return [(a.split(), b.split()) for a, b in zip(s, t)], f"multi30k:{src}-{tgt}"


def vocabulary(seqs, min_count):
    counts = collections.Counter(t for s in seqs for t in s)
    specials = ["<pad>", "<unk>", "<bos>", "<eos>"]
    kept = [w for w, c in counts.items() if c >= min_count and w not in specials]
    kept.sort(key=lambda w: (-counts[w], w))
    itos = specials + kept
    return itos, {w: i for i, w in enumerate(itos)}


def encode_source(stoi, toks):
    return [stoi.get(t, 1) for t in toks] + [3]


def encode_target(stoi, toks):
    return [2] + [stoi.get(t, 1) for t in toks] + [3]


def teacher_forcing(spec, epoch, epochs):
    """The scheduled teacher-forcing ratio of 1-based `epoch` (TranslationTrainer.ratio)."""
    a, _, b = spec.partition(":")
    start = float(a)
    end = float(b) if b else start
    return start if epochs <= 1 else start + (end - start) * (epoch - 1) / (epochs - 1)


# ---------------------------------------------------------------------------------------------- BLEU

_PUNCT = re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])")


def tokenize_13a(line):
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = line.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    line = _PUNCT.sub(r" \1 ", f" {line} ")
    line = re.sub(r"([^0-9])([\.,])", r"\1 \2 ", line)
    line = re.sub(r"([\.,])([^0-9])", r" \1 \2", line)
    line = re.sub(r"([0-9])(-)", r"\1 \2 ", line)
    return " ".join(line.split())


def corpus_bleu(hyps, refs):
    """sacreBLEU 2.x's corpus_score(hyps, [refs]).score with its defaults (13a, exp smoothing)."""
    try:
        import sacrebleu
        return sacrebleu.corpus_bleu(hyps, [refs]).score
    except ImportError:
        pass
    correct, total, hl, rl = [0] * 4, [0] * 4, 0, 0
    for h, r in zip(hyps, refs):
        h, r = tokenize_13a(h).split(), tokenize_13a(r).split()
        hl += len(h)
        rl += len(r)
        for n in range(1, 5):
            hn = collections.Counter(tuple(h[i:i + n]) for i in range(len(h) - n + 1))
            rn = collections.Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
            correct[n - 1] += sum(min(c, rn[g]) for g, c in hn.items())
            total[n - 1] += max(0, len(h) - n + 1)
    if hl == 0:
        return 0.0
    k, logs = 1.0, 0.0
    for n in range(4):
        if total[n] == 0:
            return 0.0
        if correct[n] == 0:
            k *= 2
            p = 100.0 / (k * total[n])
        else:
            p = 100.0 * correct[n] / total[n]
        logs += math.log(p) / 4
    bp = 1.0 if hl > rl else math.exp(1 - rl / hl)
    return bp * math.exp(logs)


# ---------------------------------------------------------------------------------------------- model

def build(torch, sv, tv, a):
    nn, F = torch.nn, torch.nn.functional
    bi, att = not a.unidirectional, not a.no_attention
    hv = 2 * a.hidden if bi else a.hidden

    def dense(i, o, bias=True):
        lin = nn.Linear(i, o, bias=bias)
        nn.init.xavier_uniform_(lin.weight)
        if bias:
            nn.init.zeros_(lin.bias)
        return lin

    class Seq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.src_embed = nn.Embedding(sv, a.embed, padding_idx=0)
            self.encoder = nn.GRU(a.embed, a.hidden, batch_first=True, bidirectional=bi)
            self.bridge = dense(hv, a.hidden)
            self.tgt_embed = nn.Embedding(tv, a.embed, padding_idx=0)
            self.decoder = nn.GRU(a.embed, a.hidden, batch_first=True)
            if att:
                self.W = dense(a.hidden, a.attention_units, bias=False)
                self.U = dense(hv, a.attention_units)
                self.v = dense(a.attention_units, 1, bias=False)
            self.out = dense(a.hidden + (hv if att else 0), tv)

        def encode(self, src):                        # src: [N, S], right-padded with 0
            mask = src != 0
            lengths = mask.sum(1).clamp(min=1)
            packed = nn.utils.rnn.pack_padded_sequence(self.src_embed(src), lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            out, h = self.encoder(packed)
            values, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
            last = torch.cat([h[0], h[1]], -1) if bi else h[0]
            return values, mask, torch.tanh(self.bridge(last))

        def attend(self, s, values, mask):            # s: [N, T, H] -> context [N, T, Hv], weights [N, T, S]
            keys = self.U(values)                                        # [N, S, u]
            e = torch.tanh(self.W(s).unsqueeze(2) + keys.unsqueeze(1))   # [N, T, S, u]
            scores = self.v(e).squeeze(-1).masked_fill(~mask.unsqueeze(1), float("-inf"))
            w = torch.softmax(scores, -1)
            return w @ values, w

        def head(self, s, values, mask):
            if not att:
                return self.out(s), None
            c, w = self.attend(s, values, mask)
            return self.out(torch.cat([s, c], -1)), w

        def logits(self, src, tgt_in, ratio=1.0, gen=None):
            values, mask, h = self.encode(src)
            if ratio >= 1.0:                          # teacher forcing: the decoder GRU over the whole target
                s, _ = self.decoder(self.tgt_embed(tgt_in), h.unsqueeze(0))
                return self.head(s, values, mask)[0]
            # scheduled sampling (Bengio et al. 2015): each step's input is the reference token with
            # probability `ratio`, else the previous step's argmax (no gradient through the choice)
            h, steps, prev = h.unsqueeze(0), [], tgt_in[:, :1]
            for t in range(tgt_in.shape[1]):
                if t > 0:
                    keep = torch.rand(tgt_in.shape[0], generator=gen) < ratio
                    prev = torch.where(keep, tgt_in[:, t], steps[-1].argmax(-1).squeeze(1)).unsqueeze(1)
                s, h = self.decoder(self.tgt_embed(prev), h)
                steps.append(self.head(s, values, mask)[0])
            return torch.cat(steps, 1)

        def step(self, prev, h, values, mask):        # prev [K], h [K, H] -> logp [K, V], h, weights [K, S]
            s, h = self.decoder(self.tgt_embed(prev.unsqueeze(1)), h.unsqueeze(0))
            logits, w = self.head(s, values, mask)
            return torch.log_softmax(logits.squeeze(1), -1), h.squeeze(0), w

    return Seq2Seq()


def batches(rng, n, bs, src_lens):
    """TranslationTrainer.epoch's order: shuffle, sort chunks of 32 batches by source length, shuffle batches."""
    order = list(range(n))
    rng.shuffle(order)
    chunk = bs * 32
    for f in range(0, n, chunk):
        order[f:f + chunk] = sorted(order[f:f + chunk], key=lambda i: src_lens[i])
    nb = (n + bs - 1) // bs
    bo = list(range(nb))
    rng.shuffle(bo)
    return [order[b * bs:(b + 1) * bs] for b in bo]


def pad(torch, seqs):
    s = max(1, max(len(q) for q in seqs))
    out = torch.zeros(len(seqs), s, dtype=torch.long)
    for i, q in enumerate(seqs):
        out[i, :len(q)] = torch.tensor(q, dtype=torch.long)
    return out


def make_batch(torch, S, T, idx):
    src = pad(torch, [S[i] for i in idx])
    tgt_in = pad(torch, [T[i][:-1] for i in idx])
    tgt_out = pad(torch, [T[i][1:] for i in idx])
    return src, tgt_in, tgt_out


def greedy(torch, model, sources, max_lens):
    """Batched greedy decoding; sentence i stops at EOS or after max_lens[i] tokens."""
    values, mask, h = model.encode(pad(torch, sources))
    n = len(sources)
    prev = torch.full((n,), 2, dtype=torch.long)
    done = [m <= 0 for m in max_lens]
    ids, score = [[] for _ in range(n)], [0.0] * n
    while not all(done):
        logp, h, _ = model.step(prev, h, values, mask)
        best = logp.argmax(-1)
        for i in range(n):
            if done[i]:
                continue
            b = int(best[i])
            score[i] += float(logp[i, b])
            ids[i].append(b)
            done[i] = b == 3 or len(ids[i]) >= max_lens[i]
        prev = best
    return ids, score


def length_penalty(length, alpha):
    return 1.0 if alpha == 0 else ((5.0 + length) / 6.0) ** alpha


def beam(torch, model, source, width, alpha, max_len):
    """Seq2Seq.beam: greedy's hypothesis competes; top 2*width extensions; EOS among the best width finishes."""
    g_ids, g_score = greedy(torch, model, [source], [max_len])
    best, best_score = g_ids[0], g_score[0] / length_penalty(len(g_ids[0]), alpha)
    if width == 1:
        return best
    values, mask, h = model.encode(pad(torch, [source]))
    active, finished = [([], 0.0)], []
    for t in range(max_len):
        if not active:
            break
        k = len(active)
        prev = torch.tensor([2 if t == 0 else b[0][-1] for b in active], dtype=torch.long)
        logp, hn, _ = model.step(prev, h, values.expand(k, -1, -1), mask.expand(k, -1))
        total = (logp.double() + torch.tensor([b[1] for b in active], dtype=torch.float64).unsqueeze(1)).view(-1)
        keep = min(2 * width, total.numel())
        top = torch.topk(total, keep).indices.tolist()
        v = logp.shape[1]
        nxt, parents = [], []
        for r, flat in enumerate(top):
            if len(nxt) >= width:
                break
            b, tok = divmod(flat, v)
            x = (active[b][0] + [tok], active[b][1] + float(logp[b, tok]))
            if tok == 3:
                if r < width:
                    finished.append(x)
            else:
                parents.append(b)
                nxt.append(x)
        if len(finished) >= width:
            active = []
            break
        active = nxt
        h = hn[parents]
    for ids, sc in finished + active:
        s = sc / length_penalty(len(ids), alpha)
        if s > best_score:
            best, best_score = ids, s
    return best


def detok(itos, ids):
    return " ".join(itos[i] for i in (ids[:-1] if ids and ids[-1] == 3 else ids) if i != 0)


def _busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    return v[0] + v[1] + v[2] + v[5] + v[6]


def other_cpu(busy0, self0, t0):
    """Cores used by other processes since (busy0, self0, t0): shared/peers/common.py's NoiseMeter."""
    others = (_busy_jiffies() - busy0) / os.sysconf("SC_CLK_TCK") - (time.process_time() - self0)
    return max(0.0, others / max(1e-9, time.perf_counter() - t0))


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(workload, params, metric, values, threads, **extra):
    rec = {"workload": workload, "peer": "torch", "params": params, "metric": metric,
           "median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3),
           "reps": len(values), "threads": threads, "peak_rss_mib": round(peak_rss_mib(), 1)}
    rec.update(extra)
    print(json.dumps(rec), flush=True)


def main(argv=None):
    a = parse_args(argv)
    import torch
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(a.blas_threads or a.threads, user_api="blas")
    except ImportError:
        pass
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    if not a.pairs.startswith("multi30k:"):
        sys.exit("--pairs " + a.pairs + ": expected multi30k:DIR[:SRC-TGT]")
    train, name = read_multi30k(a.pairs, "train")
    train = [p for p in train if 1 <= len(p[0]) <= a.max_len and 1 <= len(p[1]) <= a.max_len]
    if a.limit > 0:
        train = train[:a.limit]
    test, _ = read_multi30k(a.pairs, "test_2016_flickr")
    if a.eval_limit > 0:
        test = test[:a.eval_limit]
    s_itos, s_stoi = vocabulary([p[0] for p in train], a.min_count)
    t_itos, t_stoi = vocabulary([p[1] for p in train], a.min_count)
    S = [encode_source(s_stoi, p[0]) for p in train]
    T = [encode_target(t_stoi, p[1]) for p in train]
    model = build(torch, len(s_itos), len(t_itos), a)
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    F = torch.nn.functional
    params = {"arch": "gru" if a.no_attention else "gru-attention", "pairs": name, "train": len(train), "test": len(test),
              "src_vocab": len(s_itos), "tgt_vocab": len(t_itos), "params": nparams, "embed": a.embed, "hidden": a.hidden,
              "attention_units": 0 if a.no_attention else a.attention_units, "bidirectional": not a.unidirectional,
              "batch": a.batch_size, "lr": a.lr, "clip": a.clip, "label_smoothing": a.label_smoothing,
              "teacher_forcing": a.teacher_forcing, "epochs": a.epochs, "max_len": a.max_len, "min_count": a.min_count,
              "optimizer": "Adam"}
    print(f"# torch {torch.__version__}: {len(train)} pairs, vocab {len(s_itos)}/{len(t_itos)}, {nparams} parameters",
          file=sys.stderr)
    rates, losses, others = [], [], []
    lens = [len(s) for s in S]
    for e in range(1, a.epochs + 1):
        model.train()
        ratio = teacher_forcing(a.teacher_forcing, e, a.epochs)
        total, nb = 0.0, 0
        busy0, self0 = _busy_jiffies(), time.process_time()
        t0 = time.perf_counter()
        for idx in batches(rng, len(S), a.batch_size, lens):
            src, tin, tout = make_batch(torch, S, T, idx)
            opt.zero_grad(set_to_none=True)
            logits = model.logits(src, tin, ratio, gen)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=0,
                                   label_smoothing=a.label_smoothing)
            loss.backward()
            if a.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            total += loss.item()
            nb += 1
        dt = time.perf_counter() - t0
        others.append(other_cpu(busy0, self0, t0))
        rates.append(len(S) / dt)
        losses.append(total / max(1, nb))
        print(f"# epoch {e}: loss {losses[-1]:.4f}, teacher forcing {ratio:.3f}, {rates[-1]:.1f} sentences/s",
              file=sys.stderr)
    emit("translate_train", params, "sentences/s", rates, a.threads, other_cpu=round(statistics.median(others), 3),
         train_loss=round(losses[-1], 4))
    model.eval()
    cap = max(a.max_len * 2, 50)
    srcs = [encode_source(s_stoi, p[0]) for p in test]
    refs = [" ".join(p[1]) for p in test]
    hyp_g, hyp_b = [], []
    t0 = time.perf_counter()
    with torch.no_grad():
        for f in range(0, len(srcs), 64):
            chunk = srcs[f:f + 64]
            ids, _ = greedy(torch, model, chunk, [min(cap, 2 * len(c) + 10) for c in chunk])
            hyp_g += [detok(t_itos, i) for i in ids]
        tg = time.perf_counter() - t0
        emit("translate_bleu_greedy", params, "BLEU", [corpus_bleu(hyp_g, refs)], a.threads,
             decode_sentences_per_s=round(len(srcs) / max(tg, 1e-9), 1))
        if a.beam > 1:
            t0 = time.perf_counter()
            for s in srcs:
                hyp_b.append(detok(t_itos, beam(torch, model, s, a.beam, a.alpha, min(cap, 2 * len(s) + 10))))
            tb = time.perf_counter() - t0
            emit("translate_bleu_beam", dict(params, beam=a.beam, alpha=a.alpha), "BLEU", [corpus_bleu(hyp_b, refs)],
                 a.threads, decode_sentences_per_s=round(len(srcs) / max(tb, 1e-9), 1))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        for fname, lines in (("greedy.txt", hyp_g), ("beam.txt", hyp_b), ("refs.txt", refs)):
            with open(os.path.join(a.out, fname), "w", encoding="utf-8") as f:
                f.writelines(l + "\n" for l in lines)


if __name__ == "__main__":
    main()
