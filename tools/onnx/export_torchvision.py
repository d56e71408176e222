#!/usr/bin/python3
"""Exports torchvision classifiers to ONNX with golden outputs and gradients for neurite-onnx's model tests.

Needs Debian's python3-torch (1.13), python3-torchvision and python3-onnx. Random weights (seeded), so nothing
is downloaded.

    /usr/bin/python3 tools/onnx/export_torchvision.py --small          # committed test resources (~1 MB)
    /usr/bin/python3 tools/onnx/export_torchvision.py --full [--out D]  # ResNet-18 and MobileNetV2, 3x224x224
                                                                        # (default D: neurite-onnx/target/torchvision)

--small writes into neurite-onnx/src/test/resources/org/neurite/onnx/models/ a narrow ResNet (torchvision's
BasicBlock and stem, widths 8-16-24-32, one block per stage, 10 classes) and a narrow MobileNetV2
(torchvision's MobileNetV2, width 0.25, three inverted-residual stages, 10 classes), both for 3x64x64 inputs (batch 2).
--full writes the real torchvision ResNet-18 and MobileNetV2 (1000 classes, ~45 MB and ~14 MB). For each model M:

    M.onnx          exported in evaluation mode (BatchNormalization folded into Conv by the exporter, constants
                    folded): the file a user typically gets
    M_train.onnx    exported in training mode without constant folding: BatchNormalization nodes and the
                    state_dict names are kept, so gradients can be compared parameter by parameter. Dropout is
                    set to p=0 first (MobileNetV2's classifier), so one training step is deterministic.
    M.safetensors   golden tensors, all computed by PyTorch in float64 from the file's float32 values:
        x                 the input batch [2, 3, H, W]
        y_eval            eval-mode output of M.onnx (and y_eval32: PyTorch's own float32 output)
        labels            class labels for the training step
        loss1, grad1:<p>  training-mode cross-entropy loss and the gradient of every parameter <p>
        lr                the SGD learning rate: 0.1 (--small), 0.001 (--full)
        loss2, grad2:<p>  the same after one SGD step (no momentum) from grad1
        y2_eval           eval-mode output after that step (running statistics updated by both forwards)
        state2:<b>        each BatchNorm running statistic after the two training forwards
        grad32_1:<p>, grad32_2:<p>, loss32_1, loss32_2, state32_2:<b>, y2_eval32
                          (--full only) PyTorch's own float32 gradients, losses and output after the step of the same two steps: random-weight
                          nets in training mode are ill-conditioned (PyTorch's float32 gradients of ResNet-18 at
                          batch 2 differ from float64 by up to ~1e-2), so the tests hold Neurite to PyTorch's accuracy

Opset 13 for the ResNets, 17 for the eval MobileNetV2 and 11 for its training export (covering the range
PyTorch 1.13 exports).
"""

import argparse
import copy
import io
import os
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import numpy_helper
from torchvision.models.resnet import BasicBlock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import RESOURCES, ROOT, export_bytes, write_safetensors  # noqa: E402


# The full-size step is smaller: with lr 0.1 one step makes the random-weight nets chaotic (PyTorch's own float32
# gradients after the step differ from float64 by O(1)).
LR_FULL = float(os.environ.get("NEURITE_LR_FULL", "0.001"))


class SmallResNet(nn.Module):
    """torchvision's ResNet layout (7x7/2 stem, BN, ReLU, 3x3/2 max pool, four BasicBlock stages, global
    average pool, fc) with narrow stages."""

    def __init__(self, widths=(8, 16, 24, 32), classes=10):
        super().__init__()
        w0 = widths[0]
        self.conv1 = nn.Conv2d(3, w0, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(w0)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, inp = [], w0
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inp != w:
                down = nn.Sequential(nn.Conv2d(inp, w, 1, stride, bias=False), nn.BatchNorm2d(w))
            layers.append(nn.Sequential(BasicBlock(inp, w, stride, down)))
            inp = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inp, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def randomize_bn(model):
    """Running statistics and affine parameters away from their defaults, so folding and training matter."""
    g = torch.Generator().manual_seed(7)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.rand(m.num_features, generator=g) * 0.2 - 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) * 0.5 + 0.75)
            m.bias.data.copy_(torch.rand(m.num_features, generator=g) * 0.2 - 0.1)


def from_file(model, data):
    """Loads the initializers of an exported file back into the model (exactly the stored float32 values)."""
    sd = model.state_dict()
    with torch.no_grad():
        for t in onnx.load_from_string(data).graph.initializer:
            if t.name in sd:
                sd[t.name].copy_(torch.from_numpy(numpy_helper.to_array(t).copy()).reshape(sd[t.name].shape))


def golden(name, model, size, out_dir, opset_eval, opset_train, batch=2, f32_grads=False, lr=0.1):
    torch.manual_seed(0)
    model.eval()
    randomize_bn(model)
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    x = torch.randn(batch, 3, size, size)
    labels = torch.arange(batch) % 10
    dyn = {"input": {0: "N"}, "output": {0: "N"}}
    # The training export runs a forward pass in training mode, which moves the running statistics it then
    # stores: export it first, take the file's values as the model's, and export the eval file from those.
    state0 = {k: v.clone() for k, v in model.state_dict().items()}
    train_bytes = export_bytes(model.train(), (x,), opset_train, train=True, input_names=["input"],
                               output_names=["output"], dynamic_axes=dyn)
    model.load_state_dict(state0)
    from_file(model, train_bytes)
    state1 = {k: v.clone() for k, v in model.state_dict().items()}
    f = io.BytesIO()
    torch.onnx.export(model.eval(), (x,), f, opset_version=opset_eval, training=torch.onnx.TrainingMode.EVAL,
                      do_constant_folding=True, input_names=["input"], output_names=["output"], dynamic_axes=dyn)
    eval_bytes = f.getvalue()
    model.load_state_dict(state1)
    with open(os.path.join(out_dir, name + ".onnx"), "wb") as fh:
        fh.write(eval_bytes)
    with open(os.path.join(out_dir, name + "_train.onnx"), "wb") as fh:
        fh.write(train_bytes)

    out = [("x", x), ("labels", labels.float()), ("lr", torch.tensor(lr))]
    with torch.no_grad():
        out.append(("y_eval32", model.eval()(x)))
    if f32_grads:
        # PyTorch's own float32 training step: how far float32 gets from the float64 reference on this model
        m32 = copy.deepcopy(model)
        opt32 = torch.optim.SGD(m32.parameters(), lr=lr)
        for step in (1, 2):
            m32.train()
            opt32.zero_grad()
            loss32 = F.cross_entropy(m32(x), labels)
            loss32.backward()
            out.append(("loss32_%d" % step, loss32.detach()))
            for k, p in m32.named_parameters():
                out.append(("grad32_%d:%s" % (step, k), p.grad.detach().clone()))
            if step == 1:
                opt32.step()
        for k, v in m32.state_dict().items():
            if "running" in k:
                out.append(("state32_2:" + k, v))
        with torch.no_grad():
            out.append(("y2_eval32", m32.eval()(x)))
    ref = model.double()
    with torch.no_grad():
        out.append(("y_eval", ref.eval()(x.double())))
    params = dict(ref.named_parameters())
    opt = torch.optim.SGD(ref.parameters(), lr=lr)
    for step in (1, 2):
        ref.train()
        opt.zero_grad()
        loss = F.cross_entropy(ref(x.double()), labels)
        loss.backward()
        out.append(("loss%d" % step, loss.detach()))
        for k, p in params.items():
            out.append(("grad%d:%s" % (step, k), p.grad.detach().clone()))
        if step == 1:
            opt.step()
    with torch.no_grad():
        out.append(("y2_eval", ref.eval()(x.double())))
    for k, v in ref.state_dict().items():
        if "running" in k:
            out.append(("state2:" + k, v))
    write_safetensors(os.path.join(out_dir, name + ".safetensors"), out)
    print("%s: %s.onnx %d KB, %s_train.onnx %d KB" % (name, name, len(eval_bytes) // 1024, name,
                                                       len(train_bytes) // 1024))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true", help="the committed narrow models (test resources)")
    ap.add_argument("--full", action="store_true", help="torchvision ResNet-18 and MobileNetV2 at 3x224x224")
    ap.add_argument("--out", default=os.path.join(ROOT, "neurite-onnx", "target", "torchvision"))
    args = ap.parse_args()
    if not (args.small or args.full):
        ap.error("give --small and/or --full")
    if args.small:
        d = os.path.join(RESOURCES, "models")
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(1)
        golden("small_resnet", SmallResNet(), 64, d, 13, 13)
        torch.manual_seed(2)
        mb = torchvision.models.MobileNetV2(num_classes=10, width_mult=0.25,
                                            inverted_residual_setting=[[1, 8, 1, 1], [6, 16, 2, 2], [6, 24, 2, 2]])
        golden("small_mobilenet_v2", mb, 64, d, 17, 11)
    if args.full:
        os.makedirs(args.out, exist_ok=True)
        torch.manual_seed(3)
        golden("resnet18", torchvision.models.resnet18(weights=None), 224, args.out, 13, 13, f32_grads=True, lr=LR_FULL)
        torch.manual_seed(4)
        golden("mobilenet_v2", torchvision.models.mobilenet_v2(weights=None), 224, args.out, 17, 11, f32_grads=True, lr=LR_FULL)


if __name__ == "__main__":
    main()
