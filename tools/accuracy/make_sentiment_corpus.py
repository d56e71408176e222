#!/usr/bin/env python3
"""Word2Vec training text for the sentiment recipes in docs/accuracy-notes.md: ../shared/data/english-corpus
(4.75 M tokens) plus the 25,000 IMDB *training* reviews (no test review, so IMDB's test set stays unseen),
lower case and split the way neurite's Tokenizer splits (words keep inner apostrophes, "don't"; every
punctuation mark is a token), so the vectors' words match the vocabulary `train text` builds. About 12.3 M
tokens, one paragraph per line. Deterministic.

usage: make_sentiment_corpus.py OUT.txt   (run from the repository root)
"""
import gzip, re, zipfile, sys
TOK = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]", re.UNICODE)
out = open(sys.argv[1], "w", encoding="utf-8")
n = 0
def emit(line):
    global n
    t = TOK.findall(line.lower().replace("’", "'"))
    if t:
        out.write(" ".join(t) + "\n"); n += len(t)
with gzip.open("../shared/data/english-corpus/corpus-en.txt.gz", "rt", encoding="utf-8") as f:
    for line in f: emit(line)
with zipfile.ZipFile("../shared/data/imdb/aclImdb-labeled.zip") as z:
    for name in sorted(x for x in z.namelist() if re.search(r"/train/(pos|neg)/[^/]+\.txt$", x)):
        for line in z.read(name).decode("utf-8", "replace").replace("<br />", "\n").splitlines(): emit(line)
print(n, "tokens", file=sys.stderr)
