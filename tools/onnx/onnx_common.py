"""Helpers shared by the ONNX fixture and export scripts (Debian's python3-torch 1.13, python3-onnx 1.12).

Not a script: imported by make_onnx_fixtures.py and export_torchvision.py from the same directory.
"""

import io
import json
import os
import struct
import zlib

import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RESOURCES = os.path.join(ROOT, "neurite-onnx", "src", "test", "resources", "org", "neurite", "onnx")


def write_safetensors(path, tensors):
    """tensors: list of (name, tensor), written as F32 in that order (org.neurite.io.SafeTensors reads it)."""
    header, blobs, at = {}, [], 0
    for name, t in tensors:
        t = t.detach().to(torch.float32).contiguous()
        data = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (len(h) + 8) % 8) % 8)
    hb = h.encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode("utf-8")))


def export_bytes(module, args, opset, train=False, input_names=None, output_names=None, dynamic_axes=None):
    """torch.onnx.export into bytes. train=True keeps BatchNormalization and Dropout (TrainingMode.TRAINING);
    otherwise the module's own mode is kept (PRESERVE) without constant folding, so initializers keep their
    state_dict names."""
    f = io.BytesIO()
    mode = torch.onnx.TrainingMode.TRAINING if train else torch.onnx.TrainingMode.PRESERVE
    torch.onnx.export(module, args, f, opset_version=opset, training=mode, do_constant_folding=False,
                      input_names=input_names, output_names=output_names, dynamic_axes=dynamic_axes)
    return f.getvalue()
