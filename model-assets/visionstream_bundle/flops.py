"""Counts each graph's arithmetic at a nominal input and writes it into the bundle as flops.json.

Convention: FLOPs = 2 x the multiply-adds of the Conv, Gemm and MatMul nodes (and their quantised forms),
read from the ONNX graph with shape inference at the nominal input; element-wise operators, pooling,
RoIAlign and softmax are not counted (a small share of a convolutional network's arithmetic). The nominal input
is the manifest's short side by 4/3 of it, as a landscape 4:3 frame is resized (600 x 800 for gluon-cv),
and `rpn.postNmsTopK` RoIs into the head: the numbers a GPU's peak throughput divides into a floor.
"""
import json
import math
from pathlib import Path

import onnx

FILE = "flops.json"
CONVENTION = ("FLOPs = 2 x multiply-adds of Conv, Gemm and MatMul nodes (quantised forms included) at the "
              "nominal input; element-wise operators, pooling, RoIAlign and softmax not counted")
_CONV = {"Conv": 1, "ConvInteger": 1, "QLinearConv": 3}  # input index of the weight
_MATMUL = ("MatMul", "MatMulInteger", "QLinearMatMul")  # A is input 0 in each


def nominal_input(manifest):
    """(height, width, rois): the manifest's short side, 4/3 of it (within maxSize, 0: no limit), postNmsTopK."""
    resize = manifest["preprocess"]["resize"]
    short, width = resize["shortSide"], round(resize["shortSide"] * 4 / 3)
    return short, min(width, resize["maxSize"] or width), manifest["rpn"]["postNmsTopK"]


def count_macs(model, input_shapes):
    """Multiply-adds of one ONNX model with its dynamic inputs fixed to input_shapes {name: [dims]}."""
    model = _inferred(model, input_shapes)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in [*model.graph.input, *model.graph.value_info, *model.graph.output]}
    shapes.update({t.name: list(t.dims) for t in model.graph.initializer})
    macs = 0
    for node in model.graph.node:
        if node.op_type in _CONV:
            w = shapes[node.input[_CONV[node.op_type]]]  # [M, C / group, kh, kw]
            macs += math.prod(shapes[node.output[0]]) * math.prod(w[1:])  # N M oh ow x C/g kh kw
        elif node.op_type == "Gemm":
            a = shapes[node.input[0]]
            trans_a = next((x.i for x in node.attribute if x.name == "transA"), 0)
            macs += math.prod(shapes[node.output[0]]) * (a[0] if trans_a else a[1])
        elif node.op_type in _MATMUL:
            macs += math.prod(shapes[node.output[0]]) * shapes[node.input[0]][-1]
        elif node.op_type in ("ConvTranspose", "Einsum"):
            raise ValueError(f"cannot count {node.op_type} ({node.name}): not supported by flops.py")
    return macs


def graph_flops(bundle_dir, manifest):
    """{graph file: FLOPs} at the nominal input, chaining each graph's output shape into the next."""
    d = Path(bundle_dir)
    h, w, rois = nominal_input(manifest)
    backbone = onnx.load(d / "backbone.onnx")
    inferred = _inferred(backbone, {"image": [1, 3, h, w]})
    features = [x.dim_value for x in inferred.graph.output[0].type.tensor_type.shape.dim]
    return {
        "backbone.onnx": 2 * count_macs(backbone, {"image": [1, 3, h, w]}),
        "rpn.onnx": 2 * count_macs(onnx.load(d / "rpn.onnx"), {"features": features}),
        "head.onnx": 2 * count_macs(onnx.load(d / "head.onnx"), {"features": features, "rois": [rois, 5]}),
    }


def _inferred(model, input_shapes):
    """A copy of the model with its inputs fixed to input_shapes and every tensor's shape inferred."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for i in model.graph.input:
        if i.name in input_shapes:
            for dim, v in zip(i.type.tensor_type.shape.dim, input_shapes[i.name]):
                dim.Clear()
                dim.dim_value = v
    return onnx.shape_inference.infer_shapes(model, strict_mode=True)


def write(bundle_dir, manifest):
    """Writes flops.json: {convention, input: {height, width, rois}, graphs: {file: FLOPs}}."""
    h, w, rois = nominal_input(manifest)
    doc = {"convention": CONVENTION, "input": {"height": h, "width": w, "rois": rois},
           "graphs": graph_flops(bundle_dir, manifest)}
    (Path(bundle_dir) / FILE).write_text(json.dumps(doc, indent=2) + "\n")
    return doc
