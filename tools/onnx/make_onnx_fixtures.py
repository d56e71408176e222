#!/usr/bin/python3
"""Writes the ONNX operator fixtures that neurite-onnx's tests compare against.

Run from anywhere with Debian's PyTorch and ONNX (python3-torch 1.13, python3-onnx 1.12):

    /usr/bin/python3 tools/onnx/make_onnx_fixtures.py

For every case it writes neurite-onnx/src/test/resources/org/neurite/onnx/ops/<case>.onnx (a tiny graph,
exported by torch.onnx from a small module, or built with onnx.helper for operators PyTorch 1.13 does not
emit) and, in ops.safetensors, tensors named "<case>/<tensor>":

    <case>/x0, x1, ...      the graph inputs, in order (integer inputs as whole-number floats)
    <case>/y0, y1, ...      the outputs, computed by PyTorch in float64 from the same float32 values
    <case>/u0, u1, ...      a fixed random upstream gradient per output
    <case>/grad_x0, ...     d sum(y_i * u_i) / d x_j, for the float inputs
    <case>/grad_p:<name>    the same for each trainable initializer <name> (a state_dict name)
    <case>/train            1 when the case runs in training mode (BatchNormalization batch statistics)
    <case>/state:<name>     a buffer's value after the forward pass (running statistics, training cases)

Each case seeds torch with a CRC of its name, so adding a case does not change the others.
"""

import os
import sys
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_common import RESOURCES, export_bytes, seed, write_safetensors  # noqa: E402

OPS_DIR = os.path.join(RESOURCES, "ops")
ENTRIES = []
NAMES = set()


def record(name, onnx_bytes, inputs, outputs, grads_in, grads_p, train=False, state=None):
    if name in NAMES:
        raise SystemExit("duplicate case " + name)
    NAMES.add(name)
    with open(os.path.join(OPS_DIR, name + ".onnx"), "wb") as f:
        f.write(onnx_bytes)
    for i, x in enumerate(inputs):
        ENTRIES.append((name + "/x%d" % i, x))
    torch.manual_seed(zlib.crc32((name + "/u").encode()))
    for i, y in enumerate(outputs):
        ENTRIES.append((name + "/y%d" % i, y))
    for i, g in grads_in.items():
        ENTRIES.append((name + "/grad_x%d" % i, g))
    for k, g in grads_p.items():
        ENTRIES.append((name + "/grad_p:" + k, g))
    for k, v in (state or {}).items():
        ENTRIES.append((name + "/state:" + k, v))
    ENTRIES.append((name + "/train", torch.tensor(1.0 if train else 0.0)))


def torch_case(name, module, inputs, opset=13, train=False, grad=True, dynamic=False):
    """Exports `module` at `opset`, then computes the reference in float64 (outputs and gradients)."""
    seed(name)
    module = module.float()
    module.train(train)
    n_in = len(inputs)
    in_names = ["x%d" % i for i in range(n_in)]
    with torch.no_grad():
        probe = module(*[x.clone() for x in inputs])
    n_out = len(probe) if isinstance(probe, (tuple, list)) else 1
    out_names = ["y%d" % i for i in range(n_out)]
    dyn = {n: {0: "N"} for n in in_names + out_names} if dynamic else None
    state_before = {k: v.clone() for k, v in module.state_dict().items()}
    data = export_bytes(module, tuple(x.clone() for x in inputs), opset, train=train, input_names=in_names,
                        output_names=out_names, dynamic_axes=dyn)
    module.load_state_dict(state_before)   # exporting in training mode ran a forward pass
    # The reference starts from exactly the values in the file.
    sd = module.state_dict()
    with torch.no_grad():
        for t in onnx.load_from_string(data).graph.initializer:
            if t.name in sd:
                sd[t.name].copy_(torch.from_numpy(numpy_helper.to_array(t).copy()).reshape(sd[t.name].shape))
    ref = module.double()
    ref.train(train)
    leaves = [x.double().requires_grad_(grad) if x.is_floating_point() else x for x in inputs]
    out = ref(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    # LSTM/GRU return (y, (h, c)): flatten nested tuples in order
    flat = []
    for o in outs:
        if isinstance(o, (tuple, list)):
            flat.extend(o)
        else:
            flat.append(o)
    outs = flat
    torch.manual_seed(zlib.crc32((name + "/u").encode()))
    us = [torch.randn(o.shape, dtype=torch.float64).float().double() for o in outs]
    grads_in, grads_p = {}, {}
    if grad:
        loss = sum((o * u).sum() for o, u in zip(outs, us) if o.is_floating_point())
        params = dict(ref.named_parameters())
        diff = [x for x in leaves if x.requires_grad] + list(params.values())
        gs = torch.autograd.grad(loss, diff, allow_unused=True)
        k = 0
        for i, x in enumerate(leaves):
            if x.requires_grad:
                grads_in[i] = torch.zeros_like(x) if gs[k] is None else gs[k]
                k += 1
        init_names = {t.name for t in onnx.load_from_string(data).graph.initializer}
        for pname in params:
            g = gs[k]
            k += 1
            if pname in init_names:
                grads_p[pname] = torch.zeros_like(params[pname]) if g is None else g
    state = {}
    if train:
        for k2, v in ref.state_dict().items():
            if "running" in k2:
                state[k2] = v
    for u, i in zip(us, range(len(us))):
        ENTRIES.append((name + "/u%d" % i, u))
    record(name, data, inputs, [o.detach() for o in outs], grads_in, grads_p, train, state)


def helper_case(name, nodes, inputs, outputs, reference, opset, initializers=(), grad=None):
    """A graph built with onnx.helper; `reference(*float64 tensors)` gives the outputs with PyTorch ops."""
    seed(name)
    g = helper.make_graph(nodes, name,
                          [helper.make_tensor_value_info("x%d" % i, TensorProto.FLOAT if x.is_floating_point()
                                                         else TensorProto.INT64, list(x.shape)) for i, x in enumerate(inputs)],
                          [helper.make_tensor_value_info("y%d" % i, TensorProto.FLOAT, None) for i in range(outputs)],
                          list(initializers))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="neurite-fixtures")
    m.ir_version = 9 if opset >= 20 else 8
    leaves = [x.double().requires_grad_(True) if x.is_floating_point() else x for x in inputs]
    outs = reference(*leaves)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    torch.manual_seed(zlib.crc32((name + "/u").encode()))
    us = [torch.randn(o.shape, dtype=torch.float64).float().double() for o in outs]
    grads_in = {}
    diff = [x for x in leaves if x.requires_grad]
    if diff and (grad is None or grad):
        loss = sum((o * u).sum() for o, u in zip(outs, us))
        gs = torch.autograd.grad(loss, diff, allow_unused=True)
        k = 0
        for i, x in enumerate(leaves):
            if x.requires_grad:
                grads_in[i] = torch.zeros_like(x) if gs[k] is None else gs[k]
                k += 1
    for u, i in zip(us, range(len(us))):
        ENTRIES.append((name + "/u%d" % i, u))
    record(name, m.SerializeToString(), inputs, [o.detach() for o in outs], grads_in, {})


def rn(*shape):
    return torch.randn(*shape)


def away(*shape, margin=0.05):
    """Normal values at least `margin` away from 0 (ReLU kinks)."""
    t = torch.randn(*shape)
    return torch.where(t.abs() < margin, t.sign() * margin * 2 + t, t)


def distinct(*shape):
    n = int(np.prod(shape))
    return ((torch.randperm(n).float() - n / 2) * 0.07 + torch.rand(n) * 0.02).reshape(*shape)


class Fn(nn.Module):
    def __init__(self, f, **mods):
        super().__init__()
        self.f = f
        for k, v in mods.items():
            setattr(self, k, v)

    def forward(self, *xs):
        return self.f(self, *xs)


def cases():
    # ---- convolution
    torch_case("conv2d", nn.Conv2d(3, 4, 3, stride=2, padding=1), [rn(2, 3, 9, 9)], opset=11)
    torch_case("conv2d_group_dilation", nn.Conv2d(4, 6, 3, padding=2, dilation=2, groups=2), [rn(2, 4, 8, 7)], opset=13)
    torch_case("conv2d_depthwise", nn.Conv2d(4, 4, 3, padding=1, groups=4, bias=False), [rn(2, 4, 6, 6)], opset=17)
    torch_case("conv1d", nn.Conv1d(3, 5, 3, padding=1, stride=2), [rn(2, 3, 10)], opset=13)
    torch_case("conv2d_padded_even", Fn(lambda m, x: m.c(F.pad(x, (1, 2, 2, 1))), c=nn.Conv2d(3, 2, 4)), [rn(1, 3, 7, 7)],
               opset=13)
    torch_case("conv_transpose2d", nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), [rn(2, 4, 5, 5)],
               opset=13)
    torch_case("conv_transpose2d_groups", nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, groups=2), [rn(1, 4, 3, 4)],
               opset=11)
    torch_case("conv_transpose1d", nn.ConvTranspose1d(3, 2, 3, stride=2), [rn(2, 3, 5)], opset=13)
    # ---- normalisation
    bn = nn.BatchNorm2d(4)
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.5, 0.5)
    torch_case("batchnorm_eval", bn, [rn(2, 4, 3, 3)], opset=13)
    bn2 = nn.BatchNorm2d(4)
    bn2.running_mean.uniform_(-0.5, 0.5)
    bn2.running_var.uniform_(0.5, 2.0)
    torch_case("batchnorm_train", bn2, [rn(3, 4, 5, 5)], opset=14, train=True)
    torch_case("conv_bn_relu_eval", Fn(lambda m, x: F.relu(m.bn(m.conv(x))), conv=nn.Conv2d(3, 4, 3, padding=1),
                                        bn=_randomized_bn(4)), [rn(2, 3, 6, 6)], opset=13)
    torch_case("conv_bn_relu6_train", Fn(lambda m, x: F.relu6(m.bn(m.conv(x))), conv=nn.Conv2d(3, 4, 3, bias=False),
                                          bn=_randomized_bn(4)), [rn(4, 3, 6, 6)], opset=13, train=True)
    torch_case("layernorm17", nn.LayerNorm(6), [rn(2, 3, 6)], opset=17)
    torch_case("layernorm13", nn.LayerNorm([3, 6]), [rn(2, 3, 6)], opset=13)
    torch_case("instancenorm", nn.InstanceNorm2d(3, affine=True), [rn(2, 3, 4, 5)], opset=13)
    # ---- activations
    torch_case("relu", nn.ReLU(), [away(2, 5)], opset=13)
    torch_case("leaky_relu", nn.LeakyReLU(0.1), [away(2, 5)], opset=13)
    torch_case("sigmoid_tanh", Fn(lambda m, x: torch.sigmoid(x) * torch.tanh(x)), [rn(3, 4)], opset=13)
    torch_case("hardsigmoid", nn.Hardsigmoid(), [rn(3, 4) * 4], opset=14)
    torch_case("hardswish", nn.Hardswish(), [rn(3, 4) * 4], opset=14)
    torch_case("gelu_erf", nn.GELU(), [rn(3, 4)], opset=13)
    torch_case("clip", Fn(lambda m, x: torch.clamp(x, -0.5, 0.7)), [rn(3, 4)], opset=11)
    torch_case("relu6", nn.ReLU6(), [rn(3, 4) * 4], opset=13)
    torch_case("erf_sqrt_pow", Fn(lambda m, x: torch.erf(x) + torch.sqrt(x.abs() + 1) + x ** 3), [rn(3, 4)], opset=13)
    torch_case("softmax", Fn(lambda m, x: torch.softmax(x, -1)), [rn(2, 3, 5)], opset=13)
    torch_case("softmax_axis1_opset11", Fn(lambda m, x: torch.softmax(x, 1)), [rn(2, 3, 5)], opset=11)
    torch_case("log_softmax", Fn(lambda m, x: torch.log_softmax(x, 1)), [rn(2, 5)], opset=13)
    # ---- pooling
    torch_case("maxpool", nn.MaxPool2d(3, 2, 1), [distinct(2, 3, 8, 8)], opset=13)
    torch_case("maxpool_ceil", nn.MaxPool2d(3, 2, ceil_mode=True), [distinct(1, 2, 8, 8)], opset=13)
    torch_case("avgpool_include_pad", nn.AvgPool2d(3, 2, 1), [rn(2, 3, 7, 7)], opset=13)
    torch_case("avgpool_exclude_pad_ceil", nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False),
               [rn(1, 2, 8, 8)], opset=13)
    torch_case("global_avgpool", nn.AdaptiveAvgPool2d(1), [rn(2, 3, 4, 5)], opset=13)
    torch_case("maxpool1d", nn.MaxPool1d(2), [distinct(2, 3, 8)], opset=13)
    # ---- dense and arithmetic
    torch_case("linear_gemm", nn.Linear(5, 3), [rn(4, 5)], opset=13)
    torch_case("linear_matmul", nn.Linear(5, 3), [rn(2, 4, 5)], opset=13)
    torch_case("matmul_batched", Fn(lambda m, a, b: a @ b), [rn(2, 3, 4), rn(2, 4, 5)], opset=13)
    torch_case("arith_broadcast", Fn(lambda m, a, b: a + b * 2 - b / (a.abs() + 1)), [rn(2, 3, 4), rn(3, 1)], opset=13)
    torch_case("pow_tensor", Fn(lambda m, a, b: (a.abs() + 0.5) ** b), [rn(2, 3), rn(3)], opset=13)
    # ---- shapes and indexing
    torch_case("flatten", nn.Flatten(), [rn(2, 3, 2, 2)], opset=13)
    torch_case("view_dynamic", Fn(lambda m, x: x.view(x.size(0), -1) * 2), [rn(2, 3, 4)], opset=13, dynamic=True)
    torch_case("permute_cat", Fn(lambda m, a, b: torch.cat([a.permute(0, 2, 1), b], 1)), [rn(2, 3, 4), rn(2, 2, 3)],
               opset=13)
    torch_case("split_chunk", Fn(lambda m, x: tuple(t * (i + 1) for i, t in enumerate(torch.split(x, [1, 3, 2], 1)))),
               [rn(2, 6, 3)], opset=13)
    torch_case("split_opset11", Fn(lambda m, x: tuple(t * (i + 1) for i, t in enumerate(torch.chunk(x, 2, -1)))),
               [rn(2, 3, 4)], opset=11)
    torch_case("slice_steps", Fn(lambda m, x: x[:, 1:5:2, -3:] * 3), [rn(2, 6, 5)], opset=13)
    torch_case("squeeze_unsqueeze", Fn(lambda m, x: x.squeeze(1).unsqueeze(-1).unsqueeze(0) + 1), [rn(2, 1, 3)], opset=13)
    torch_case("squeeze_opset11", Fn(lambda m, x: x.squeeze(1).unsqueeze(0) * 2), [rn(2, 1, 3)], opset=11)
    torch_case("expand", Fn(lambda m, x: x.expand(2, 3, 4) * 1.5), [rn(3, 1)], opset=13)
    torch_case("embedding_gather", nn.Embedding(10, 4), [torch.tensor([[1, 3, 9], [0, 3, 3]])], opset=13)
    torch_case("index_select", Fn(lambda m, x: x[:, torch.tensor([2, 0, 2])]), [rn(2, 3, 2)], opset=13)
    torch_case("where_equal_cast", Fn(lambda m, x, ids: torch.where(x > 0, x, x * 0.5) * (ids == 3).float()),
               [rn(2, 3), torch.tensor([[3, 1, 3], [0, 3, 2]])], opset=13)
    torch_case("constant_of_shape", Fn(lambda m, x: x + torch.ones(x.shape[0], 1) * 2 + torch.zeros_like(x)), [rn(3, 4)],
               opset=13, dynamic=True)
    torch_case("reduce_mean_sum", Fn(lambda m, x: (x.mean(dim=(1, 2), keepdim=True), x.sum(dim=-1))), [rn(2, 3, 4)], opset=13)
    torch_case("reduce_mean_opset11", Fn(lambda m, x: x.mean(dim=1)), [rn(2, 3, 4)], opset=11)
    torch_case("pad_reflect", Fn(lambda m, x: F.pad(x, (1, 2, 2, 1), mode="reflect")), [rn(1, 2, 4, 5)], opset=13)
    torch_case("pad_edge", Fn(lambda m, x: F.pad(x, (2, 0, 1, 1), mode="replicate")), [rn(1, 2, 3, 4)], opset=11)
    torch_case("pad_constant", Fn(lambda m, x: F.pad(x, (1, 1, 0, 2), value=0.5)), [rn(1, 2, 3, 4)], opset=13)
    # ---- recurrent
    torch_case("lstm_bidirectional", nn.LSTM(4, 5, batch_first=True, bidirectional=True), [rn(2, 3, 4)], opset=13)
    torch_case("gru", nn.GRU(4, 5), [rn(3, 2, 4)], opset=13)
    torch_case("rnn_tanh", nn.RNN(3, 4), [rn(5, 2, 3)], opset=13)

    # ---- graphs built with onnx.helper (operators or attributes PyTorch 1.13 does not emit)
    helper_case("gelu_op_tanh", [helper.make_node("Gelu", ["x0"], ["y0"], approximate="tanh")], [rn(3, 4)], 1,
                lambda x: F.gelu(x, approximate="tanh"), opset=20)
    helper_case("gelu_op", [helper.make_node("Gelu", ["x0"], ["y0"])], [rn(3, 4)], 1, lambda x: F.gelu(x), opset=20)
    steps = numpy_helper.from_array(np.array([-1, -2], dtype=np.int64), "steps")
    starts = numpy_helper.from_array(np.array([-1, 4], dtype=np.int64), "starts")
    ends = numpy_helper.from_array(np.array([-100, 0], dtype=np.int64), "ends")
    axes = numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes")
    helper_case("slice_negative_steps", [helper.make_node("Slice", ["x0", "starts", "ends", "axes", "steps"], ["y0"])],
                [rn(2, 3, 6)], 1, lambda x: x.flip(1)[:, :, [4, 2]], opset=13, initializers=[starts, ends, axes, steps])
    helper_case("split_num_outputs18", [helper.make_node("Split", ["x0"], ["y0", "y1", "y2"], axis=1, num_outputs=3)],
                [rn(2, 7)], 3, lambda x: (x[:, 0:3], x[:, 3:6], x[:, 6:7]), opset=18)
    rm_axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    helper_case("reduce_mean18_axes_input", [helper.make_node("ReduceMean", ["x0", "axes"], ["y0"], keepdims=0)],
                [rn(2, 3, 4)], 1, lambda x: x.mean(1), opset=18, initializers=[rm_axes])
    hs_alpha = [helper.make_node("HardSigmoid", ["x0"], ["y0"], alpha=0.3, beta=0.4)]
    helper_case("hardsigmoid_attrs", hs_alpha, [rn(3, 4) * 3], 1, lambda x: torch.clamp(0.3 * x + 0.4, 0, 1), opset=13)
    helper_case("conv_asymmetric_pads", [helper.make_node("Conv", ["x0", "w"], ["y0"], pads=[0, 1, 2, 0], strides=[2, 1])],
                [rn(1, 2, 5, 5)], 1,
                lambda x: F.conv2d(F.pad(x, (1, 0, 0, 2)), _W.double(), stride=(2, 1)), opset=13,
                initializers=[numpy_helper.from_array(_W.numpy(), "w")])
    helper_case("maxpool_auto_pad_same", [helper.make_node("MaxPool", ["x0"], ["y0"], kernel_shape=[2, 2], strides=[2, 2],
                                                           auto_pad="SAME_UPPER")],
                [distinct(1, 2, 5, 5)], 1, lambda x: F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=-1e9), 2), opset=13)
    helper_case("range_tile_cast", [
        helper.make_node("Shape", ["x0"], ["s"]),
        helper.make_node("Gather", ["s", "one"], ["n"], axis=0),
        helper.make_node("Range", ["zero", "n", "one_s"], ["r"]),
        helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x0", "rf"], ["m"]),
        helper.make_node("Tile", ["m", "reps"], ["y0"])], [rn(2, 3)], 1,
        lambda x: (x * torch.arange(3, dtype=torch.float64)).repeat(2, 1), opset=13,
        initializers=[numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
                      numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
                      numpy_helper.from_array(np.array(1, dtype=np.int64), "one_s"),
                      numpy_helper.from_array(np.array([2, 1], dtype=np.int64), "reps")])


_W = None


def _randomized_bn(c):
    bn = nn.BatchNorm2d(c)
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.5, 0.5)
    return bn


def main():
    global _W
    os.makedirs(OPS_DIR, exist_ok=True)
    for f in os.listdir(OPS_DIR):
        if f.endswith(".onnx"):
            os.remove(os.path.join(OPS_DIR, f))
    torch.manual_seed(1234)
    _W = torch.randn(3, 2, 3, 2)
    cases()
    write_safetensors(os.path.join(RESOURCES, "ops.safetensors"), ENTRIES)
    print("wrote %d cases to %s" % (len(NAMES), OPS_DIR))


if __name__ == "__main__":
    main()
