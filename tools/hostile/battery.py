#!/usr/bin/env python3
"""Hostile inputs against the real command line, under a 1 GiB heap (docs/RELIABILITY.md, "Hostile inputs").

Each case builds a small file or folder that lies about its size, never ends, decompresses to gigabytes,
declares an absurd model or breaks the metadata, runs one `./neurite` command on it with
NEURITE_JAVA_OPTS=-Xmx1g, and checks the outcome:
  refused  exit 1 or 2, stderr is one line that starts with "neurite", no stack trace, within 60 s;
  handled  exit 0 within 60 s;
and in either case a peak resident set under 1.5 GiB (the JVM's, from wait4) and no file left beside
the inputs that was not there before (nothing half-written).

Usage: tools/hostile/battery.py [--keep DIR] [CASE ...]      (from the repository root; exit 1 if any case fails)
Needs python3 only; the launcher builds Neurite if needed.
"""
import gzip
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NEURITE = os.path.join(ROOT, "neurite")
LIMIT_S = 60
LIMIT_RSS = 1536 << 20
SEED_MODEL = os.path.join(ROOT, "models", "cifar10-a-seed-cnn")

# ----------------------------------------------------------------------------- file makers


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def sparse(path, size):
    """A file that reports `size` bytes and stores almost none."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def fifo(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.mkfifo(path)
    return path


def link(path, target):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)
    return path


def copy_model(dst):
    shutil.copytree(SEED_MODEL, dst)
    return dst


def safetensors(header, data=b""):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data


def npy(shape_text, descr="<f4", data=b""):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(w, h, idat=None, junk=0):
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    if junk:
        out += png_chunk(b"juNk", b"\0" * junk)
    if idat is None:
        idat = zlib.compress(b"".join(b"\0" + bytes(w) for _ in range(h)))
    return out + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


# Protobuf, written by hand (no onnx package needed): field numbers from onnx.proto.
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(num, value):
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(num << 3 | 2) + varint(len(value)) + value


def value_info(name, dims):
    shape = b"".join(field(1, field(1, d)) for d in dims)                 # TensorShapeProto.dim { dim_value }
    tensor_type = field(1, 1) + field(2, shape)                            # elem_type FLOAT, shape
    return field(1, name) + field(2, field(1, tensor_type))                # name, type { tensor_type }


def node(op, inputs, outputs, name):
    return b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs) + field(3, name) + field(4, op)


def onnx_model(nodes, inputs, outputs, initializers=b""):
    graph = b"".join(field(1, n) for n in nodes) + field(2, "g") + initializers
    graph += b"".join(field(11, value_info(n, d)) for n, d in inputs) + b"".join(field(12, field(1, o)) for o in outputs)
    return field(1, 8) + field(8, field(2, 13)) + field(7, graph)         # ir_version 8, opset 13, graph


def tensor_proto(name, dims, raw=None, external=None):
    t = b"".join(field(1, d) for d in dims) + field(2, 1) + field(8, name)  # dims, data_type FLOAT, name
    if raw is not None:
        t += field(9, raw)
    if external is not None:
        t += b"".join(field(13, field(1, k) + field(2, v)) for k, v in external) + field(14, 1)   # EXTERNAL
    return field(5, t)                                                       # GraphProto.initializer


def config(layers, input_shape=(3, 32, 32), **extra):
    d = {"format_version": 1, "class": "Sequential", "input_shape": list(input_shape), "layers": layers}
    d.update(extra)
    return json.dumps(d)


EMPTY_WEIGHTS = safetensors({})

# ----------------------------------------------------------------------------- cases
# Each case: (name, what it is, setup(dir) -> argv, expected outcome: "refused" or "handled")

CASES = []


def case(name, what, expect="refused"):
    def register(fn):
        CASES.append((name, what, fn, expect))
        return fn
    return register


@case("config-dev-zero", "config.json is a link to /dev/zero (reports 0 bytes, never ends)")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    os.remove(os.path.join(m, "config.json"))
    link(os.path.join(m, "config.json"), "/dev/zero")
    return ["eval", "--model", m, "--data", os.path.join(ROOT, "data/cifar10-transfer/test")]


@case("weights-fifo", "model.safetensors is a named pipe nobody writes")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    os.remove(os.path.join(m, "model.safetensors"))
    fifo(os.path.join(m, "model.safetensors"))
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("config-sparse-3g", "config.json reports 3 GiB (sparse)")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    sparse(os.path.join(m, "config.json"), 3 << 30)
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("weights-sparse-3g", "model.safetensors reports 3 GiB (sparse)")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    sparse(os.path.join(m, "model.safetensors"), 3 << 30)
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("safetensors-header-length", "the header length field says 2^62 bytes")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    write(os.path.join(m, "model.safetensors"), struct.pack("<Q", 1 << 62) + b"{}")
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("safetensors-overlap", "two tensors share the same bytes")
def _(d):
    m = os.path.join(d, "m")
    write(os.path.join(m, "config.json"), config([{"class": "Dense", "config": {"units": 2}}], input_shape=[2]))
    write(os.path.join(m, "model.safetensors"), safetensors({
        "layers.0.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "layers.0.bias": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}, b"\0" * 16))
    x = write(os.path.join(d, "x.npy"), npy("(1, 2)", data=b"\0" * 8))
    return ["run", "--model", m, "--input", x, "--output", os.path.join(d, "y.npy")]


@case("safetensors-huge-shape", "a tensor declares [65536, 65536] backed by 4 bytes")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    write(os.path.join(m, "model.safetensors"),
          safetensors({"w": {"dtype": "F32", "shape": [65536, 65536], "data_offsets": [0, 4]}}, b"\0" * 4))
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("npy-huge-shape", ".npy input declaring 10^5 x 10^5 floats in 128 bytes")
def _(d):
    x = write(os.path.join(d, "x.npy"), npy("(100000, 100000)"))
    return ["run", "--model", SEED_MODEL, "--input", x, "--output", os.path.join(d, "y.npy")]


@case("npy-sparse-600m", ".npy input of 600 MB of zeros (sparse) under a 1 GiB heap")
def _(d):
    x = write(os.path.join(d, "x.npy"), npy("(50000, 3, 32, 32)"))
    with open(x, "r+b") as f:
        f.truncate(os.path.getsize(x) + 50000 * 3 * 32 * 32 * 4)
    return ["run", "--model", SEED_MODEL, "--input", x, "--output", os.path.join(d, "y.npy")]


@case("npy-fifo", ".npy input is a named pipe")
def _(d):
    return ["run", "--model", SEED_MODEL, "--input", fifo(os.path.join(d, "x.npy")), "--output", os.path.join(d, "y.npy")]


@case("onnx-dev-zero", "model.onnx is a link to /dev/zero")
def _(d):
    x = write(os.path.join(d, "x.npy"), npy("(1, 2)", data=b"\0" * 8))
    return ["run", "--model", link(os.path.join(d, "m.onnx"), "/dev/zero"), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-broadcast-bomb", "a 200-byte graph adding x [46000, 1] to its transpose (8.5 GB)")
def _(d):
    g = onnx_model([node("Transpose", ["x"], ["xt"], "t"), node("Add", ["x", "xt"], ["y"], "grow")], [("x", [46000, 1])], ["y"])
    x = write(os.path.join(d, "x.npy"), npy("(46000, 1)", data=b"\0" * (4 * 46000)))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-external-huge", "an initializer's external data says 1.2 GB in a sparse file")
def _(d):
    sparse(os.path.join(d, "w.bin"), 1_200_000_000)
    init = tensor_proto("w", [300_000_000], external=[("location", "w.bin"), ("length", "1200000000")])
    g = onnx_model([node("Identity", ["w"], ["y"], "id")], [], ["y"], init)
    x = write(os.path.join(d, "x.npy"), npy("(1,)", data=b"\0" * 4))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-external-outside", "external data at ../../etc/passwd")
def _(d):
    init = tensor_proto("w", [4], external=[("location", "../../../../../etc/passwd")])
    g = onnx_model([node("Identity", ["w"], ["y"], "id")], [], ["y"], init)
    x = write(os.path.join(d, "x.npy"), npy("(1,)", data=b"\0" * 4))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-external-fifo", "external data is a named pipe")
def _(d):
    fifo(os.path.join(d, "w.bin"))
    init = tensor_proto("w", [4], external=[("location", "w.bin")])
    g = onnx_model([node("Identity", ["w"], ["y"], "id")], [], ["y"], init)
    x = write(os.path.join(d, "x.npy"), npy("(1,)", data=b"\0" * 4))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-huge-initializer", "an initializer declaring [40000, 40000] with 4 bytes of data")
def _(d):
    init = tensor_proto("w", [40000, 40000], raw=b"\0" * 4)
    g = onnx_model([node("Identity", ["w"], ["y"], "id")], [], ["y"], init)
    x = write(os.path.join(d, "x.npy"), npy("(1,)", data=b"\0" * 4))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-truncated", "half of a valid ONNX file")
def _(d):
    g = onnx_model([node("Relu", ["x"], ["y"], "r")], [("x", [1, 4])], ["y"])
    x = write(os.path.join(d, "x.npy"), npy("(1, 4)", data=b"\0" * 16))
    return ["run", "--model", write(os.path.join(d, "m.onnx"), g[: len(g) // 2]), "--input", x, "--output", os.path.join(d, "y.npy")]


@case("onnx-convert-dev-zero", "convert of a .onnx that is /dev/zero")
def _(d):
    return ["convert", link(os.path.join(d, "m.onnx"), "/dev/zero"), os.path.join(d, "out")]


@case("png-junk-bomb", "48 KB PNG declaring 16000x16000, padded with an unread chunk")
def _(d):
    idat = zlib.compress(b"\0" * 2_000_000)[:2000]
    return ["predict", "--model", SEED_MODEL, write(os.path.join(d, "bomb.png"), png(16000, 16000, idat=idat, junk=200_000))]


@case("png-huge-dims", "PNG header declaring 2^31-1 x 2^31-1 pixels")
def _(d):
    return ["predict", "--model", SEED_MODEL, write(os.path.join(d, "huge.png"), png(2**31 - 1, 2**31 - 1, idat=b"x"))]


@case("jpeg-truncated", "the first 300 bytes of a JPEG")
def _(d):
    src = os.path.join(ROOT, "data/cifar10-transfer/test")
    first = sorted(os.listdir(src))[0]
    jpg = os.path.join(src, first, sorted(os.listdir(os.path.join(src, first)))[0])
    with open(jpg, "rb") as f:
        data = f.read()[:300]
    return ["predict", "--model", SEED_MODEL, write(os.path.join(d, "cut.jpg"), data)]


@case("image-dev-zero", "an image that is a link to /dev/zero")
def _(d):
    return ["predict", "--model", SEED_MODEL, link(os.path.join(d, "zero.png"), "/dev/zero")]


@case("zip-bomb", "a 0.7 MB zip whose one image inflates to 700 MB")
def _(d):
    z = os.path.join(d, "bomb.zip")
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("data/cat/a.png", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(700):
                f.write(block)
        zf.writestr("data/dog/b.png", png(4, 4))
    return ["train", "image", "--data", z, "--epochs", "1", "--out", os.path.join(d, "run")]


@case("folder-huge-size", "two images asked for at --size 30000x30000")
def _(d):
    for c in ("a", "b"):
        write(os.path.join(d, "imgs", c, "x.png"), png(4, 4))
    return ["train", "image", "--data", os.path.join(d, "imgs"), "--size", "30000x30000", "--epochs", "1", "--out", os.path.join(d, "run")]


@case("idx-huge-dims", "an MNIST IDX file declaring 2^31 images of 2^16 x 2^16")
def _(d):
    mn = os.path.join(d, "mnist")
    write(os.path.join(mn, "train-images-idx3-ubyte"), struct.pack(">IIII", 0x803, 2**31 - 1, 65536, 65536) + b"\0" * 64)
    write(os.path.join(mn, "train-labels-idx1-ubyte"), struct.pack(">II", 0x801, 2**31 - 1) + b"\0" * 64)
    for n in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        shutil.copy(os.path.join(mn, n.replace("t10k", "train")), os.path.join(mn, n))
    return ["train", "image", "--data", "mnist:" + mn, "--epochs", "1", "--out", os.path.join(d, "run")]


@case("config-600k-layers", "a config.json declaring 600,000 layers")
def _(d):
    m = os.path.join(d, "m")
    write(os.path.join(m, "config.json"), config([{"class": "Flatten", "config": {}}] * 600_000))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("config-huge-dense", "a config.json asking for a 10^5 x 10^6 Dense layer")
def _(d):
    m = os.path.join(d, "m")
    write(os.path.join(m, "config.json"), config([{"class": "Dense", "config": {"units": 1_000_000}}], input_shape=[100_000]))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    x = write(os.path.join(d, "x.npy"), npy("(1, 100000)", data=b"\0" * 400_000))
    return ["run", "--model", m, "--input", x, "--output", os.path.join(d, "y.npy")]


@case("config-position-table", "a config.json declaring a 6e7-position embedding table")
def _(d):
    m = os.path.join(d, "m")
    write(os.path.join(m, "config.json"), config([
        {"class": "Embedding", "config": {"vocab": 10, "dim": 64, "padding_idx": None, "frozen": False}},
        {"class": "PositionalEmbedding", "config": {"max_len": 60_000_000}}], input_shape=[10]))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    x = write(os.path.join(d, "x.npy"), npy("(1, 10)", data=b"\0" * 40))
    return ["run", "--model", m, "--input", x, "--output", os.path.join(d, "y.npy")]


@case("config-deep-json", "a config.json nested 200,000 arrays deep")
def _(d):
    m = os.path.join(d, "m")
    write(os.path.join(m, "config.json"), '{"format_version":1,"layers":' + "[" * 200_000 + "]" * 200_000 + "}")
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("config-garbage", "config.json of binary garbage")
def _(d):
    m = copy_model(os.path.join(d, "m"))
    write(os.path.join(m, "config.json"), bytes(range(256)) * 10)
    return ["predict", "--model", m, write(os.path.join(d, "x.png"), png(32, 32))]


@case("model-empty-dir", "--model is an empty folder")
def _(d):
    os.makedirs(os.path.join(d, "m"))
    return ["predict", "--model", os.path.join(d, "m"), write(os.path.join(d, "x.png"), png(32, 32))]


@case("predict-missing-file", "predict on a file that does not exist")
def _(d):
    return ["predict", "--model", SEED_MODEL, os.path.join(d, "nonexistent.png")]


@case("tsv-100mb-row", "a TSV whose one row is 100 MB of text, cut to --max-len", expect="handled")
def _(d):
    t = os.path.join(d, "big.tsv")
    with open(t, "w") as f:
        f.write("pos\t" + "great film " * 9_000_000 + "\n")
        for i in range(20):
            f.write(("pos\tgood fun %d\n" if i % 2 else "neg\tdull mess %d\n") % i)
    return ["train", "text", "--data", t, "--model", "lstm", "--epochs", "1", "--quiet", "--out", os.path.join(d, "run")]


@case("tsv-not-utf8", "a TSV in Windows-1252")
def _(d):
    t = write(os.path.join(d, "bad.tsv"), "pos\tcaf\xe9 cr\xe8me\nneg\tna\xefve\n".encode("cp1252"))
    return ["train", "text", "--data", t, "--epochs", "1", "--out", os.path.join(d, "run")]


@case("tsv-one-class", "a TSV whose rows all have one label")
def _(d):
    t = write(os.path.join(d, "one.tsv"), "pos\tgood\npos\tfine\n")
    return ["train", "text", "--data", t, "--epochs", "1", "--out", os.path.join(d, "run")]


@case("w2v-huge-header", "word2vec text vectors whose header says 10^9 words of 10^9 dims")
def _(d):
    v = write(os.path.join(d, "v.txt"), "1000000000 1000000000\nthe 0.1 0.2\n")
    return ["word2vec", "similar", "--vectors", v, "the"]


@case("w2v-binary-truncated", "word2vec binary vectors cut in the middle of a vector")
def _(d):
    v = write(os.path.join(d, "v.bin"), b"2 4\nthe " + struct.pack("<4f", 1, 2, 3, 4) + b"\nfilm " + struct.pack("<2f", 1, 2))
    return ["word2vec", "similar", "--vectors", v, "the"]


@case("w2v-corpus-fifo", "word2vec train on a corpus that is a named pipe")
def _(d):
    return ["word2vec", "train", "--corpus", fifo(os.path.join(d, "c.txt")), "--out", os.path.join(d, "v.bin")]


@case("translate-no-config", "a translation model whose config.json lacks its config block")
def _(d):
    m = os.path.join(d, "mt")
    write(os.path.join(m, "config.json"), json.dumps({"format_version": 1, "class": "Seq2Seq",
                                                       "metadata": {"source_vocab": ["<pad>", "<unk>"], "target_vocab": ["<pad>"]}}))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    return ["translate", "--model", m, "a man ."]


@case("translate-huge-vocab", "a translation config declaring a 2e8-word source vocabulary")
def _(d):
    m = os.path.join(d, "mt")
    cfg = {"sourceVocab": 200_000_000, "targetVocab": 4, "embedDim": 256, "hidden": 256, "bidirectional": True,
           "attention": True, "attentionUnits": 64, "bos": 2, "eos": 3, "cell": "gru", "score": "additive"}
    write(os.path.join(m, "config.json"), json.dumps({"format_version": 1, "class": "Seq2Seq", "config": cfg,
                                                       "metadata": {"source_vocab": ["<pad>", "<unk>"], "target_vocab": ["<pad>", "<unk>", "<bos>", "<eos>"]}}))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    return ["translate", "--model", m, "a man ."]


@case("text-model-no-classes", "a text classifier whose metadata lists no classes")
def _(d):
    m = os.path.join(d, "tm")
    write(os.path.join(m, "config.json"), config([{"class": "Embedding", "config": {"vocab": 4, "dim": 2, "padding_idx": 0, "frozen": False}},
                                                 {"class": "GlobalAvgPool1D", "config": {}}, {"class": "Dense", "config": {"units": 2}}],
                                                input_shape=[5], metadata={"task": "text-classification", "classes": [],
                                                                           "vocabulary": ["<pad>", "<unk>", "a", "b"], "max_len": 5}))
    write(os.path.join(m, "model.safetensors"), EMPTY_WEIGHTS)
    return ["classify", "--model", m, "a b"]


@case("eval-missing-data", "eval --data on a folder that does not exist")
def _(d):
    return ["eval", "--model", SEED_MODEL, "--data", os.path.join(d, "nowhere")]


# ----------------------------------------------------------------------------- runner


def run_case(name, what, setup, expect, base):
    d = os.path.join(base, name)
    os.makedirs(d)
    argv = setup(d)
    before = set()
    for dirpath, dirs, files in os.walk(d):
        before.update(os.path.join(dirpath, x) for x in dirs + files)
    env = dict(os.environ, NEURITE_JAVA_OPTS="-Xmx1g")
    t0 = time.monotonic()
    p = subprocess.Popen([NEURITE] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    status, rss = None, 0
    while True:
        pid, st, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            status, rss = st, ru.ru_maxrss * 1024
            break
        if time.monotonic() - t0 > LIMIT_S:
            p.kill()
            _, st, ru = os.wait4(p.pid, 0)
            status, rss = None, ru.ru_maxrss * 1024
            break
        time.sleep(0.05)
    seconds = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status) if status is not None else -9
    out, err = p.stdout.read().decode("utf-8", "replace"), p.stderr.read().decode("utf-8", "replace")
    lines = [l for l in err.splitlines() if l.strip()]
    left = []
    for dirpath, dirs, files in os.walk(d):
        for x in dirs + files:
            q = os.path.join(dirpath, x)
            if q not in before and (x.startswith(".") or ".tmp" in x):
                left.append(os.path.relpath(q, d))
    problems = []
    if status is None:
        problems.append("ran past %d s" % LIMIT_S)
    elif expect == "refused":
        if p.returncode not in (1, 2):
            problems.append("exit %d, expected 1 or 2" % p.returncode)
        if len(lines) != 1 or not lines[0].startswith("neurite"):
            problems.append("stderr is %d lines, expected one starting with 'neurite'" % len(lines))
        if any(s in err for s in ("Exception in thread", "\tat ", "OutOfMemoryError")):
            problems.append("a stack trace or raw Java error reached the user")
    elif p.returncode != 0:
        problems.append("exit %d, expected 0" % p.returncode)
    if rss > LIMIT_RSS:
        problems.append("peak RSS %.0f MiB over %.0f" % (rss / 2**20, LIMIT_RSS / 2**20))
    if left:
        problems.append("left behind: " + ", ".join(left))
    return problems, p.returncode, seconds, rss, (lines[0] if len(lines) == 1 else " | ".join(lines[:3]))[:220]


def main():
    args = sys.argv[1:]
    keep = None
    if args[:1] == ["--keep"]:
        keep, args = args[1], args[2:]
    chosen = [c for c in CASES if not args or c[0] in args]
    base = keep or tempfile.mkdtemp(prefix="neurite-hostile-")
    subprocess.run([NEURITE, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)   # build once, outside the clock
    failed = 0
    print("%-24s %-8s %4s %6s %8s  %s" % ("case", "outcome", "exit", "s", "RSS MiB", "stderr"))
    for name, what, setup, expect in chosen:
        problems, code, seconds, rss, line = run_case(name, what, setup, expect, base)
        verdict = "FAIL" if problems else expect
        failed += bool(problems)
        print("%-24s %-8s %4s %6.1f %8.0f  %s" % (name, verdict, code, seconds, rss / 2**20, line), flush=True)
        for pr in problems:
            print("    %s: %s (%s)" % (name, pr, what), flush=True)
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    print("hostile: %d passed, %d failed" % (len(chosen) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
