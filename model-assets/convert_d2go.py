#!/usr/bin/env python3
"""Converts the D2Go Faster R-CNN TorchScript export (d2go.pt) into a VisionStream bundle.

    /usr/bin/python3 model-assets/convert_d2go.py --weights d2go.pt --out DIR [--ort-jar JAR] [--if-stale]

Writes backbone.onnx, rpn.onnx, head.onnx (RoIAlign inside), model.json, every constant read from the
TorchScript code and buffers, and flops.json (each graph's arithmetic, visionstream_bundle.flops), then checks each graph under ONNX Runtime against its TorchScript submodule
on random and real inputs (selfcheck/, tools/OrtGraphCheck.java). Exits non-zero when anything is off.
"""
import argparse
import shutil
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

from visionstream_bundle import d2go, flops, manifest, selfcheck  # noqa: E402

NAME = "d2go-fbnetv3a-c4-coco"
SOURCE_URL = ("https://raw.githubusercontent.com/pytorch/android-demo-app/"
              "d347168e212b8e6244019b5f49e2b3d6a6f4e816/D2Go/ObjectDetection/app/src/main/assets/d2go.pt")
OPSET = 16  # RoiAlign's coordinate_transformation_mode (aligned=True) needs opset 16
# Self-check tolerances, in quantisation steps of each output. The graphs are int8 QDQ: ONNX Runtime and
# PyTorch's qnnpack round intermediate requantisations differently, so about half of the outputs move by one
# step (unbiased) and a few by up to 8 steps through the deepest graph (measured: backbone mean 0.8, max 8).
MAX_STEPS, MEAN_STEPS = 12, 1


class Head(torch.nn.Module):
    """features + rois [R, 5] -> class logits, box deltas: the pooler, box head and predictor in one graph."""

    def __init__(self, roi_heads, roi_align):
        super().__init__()
        self.box_head = roi_heads.box_head
        self.box_predictor = roi_heads.box_predictor
        self.roi = roi_align

    def forward(self, features, rois):
        r = self.roi
        pooled = torchvision.ops.roi_align(features, rois, tuple(r["size"]), r["scale"], r["ratio"], r["aligned"])
        deltas, logits = self.box_predictor(self.box_head(pooled))
        return logits, deltas


def build_manifest(conv, weights, sha, names, num_classes):
    """names: the COCO list by id (line k names id k); the model's coco_idx maps its classes to those ids."""
    coco = conv["coco_idx"][:num_classes]
    if max(coco) > len(names):
        raise SystemExit(f"class id {max(coco)} has no name among the {len(names)} in the class list")
    return {
        "format": manifest.FORMAT,
        "model": {
            "name": NAME, "version": sha[:12],
            "description": "D2Go FBNetV3A Faster R-CNN (C4-style single feature map), COCO, int8; "
                           "from the PyTorch Android demo app",
            "source": {"file": Path(weights).name, "sha256": sha, "url": SOURCE_URL,
                       "license": "BSD-style (pytorch/android-demo-app); D2Go Apache-2.0",
                       "converter": "model-assets/convert_d2go.py",
                       "converterVersion": manifest.converter_version(__file__)},
        },
        "preprocess": {
            "colorOrder": "BGR", "pixelScale": 1.0, "mean": conv["mean"], "std": conv["std"],
            "resize": {"shortSide": conv["short_side"], "maxSize": 0,
                       "method": "bilinear-align-corners" if conv["align_corners"] else "bilinear",
                       "sizeRounding": "floor"},
            "sizeDivisibility": 0, "padValue": 0.0,
        },
        "anchors": {"style": "detectron2", "stride": conv["stride"], "sizes": conv["sizes"],
                    "aspectRatios": conv["ratios"], "offset": conv["offset"]},
        "rpn": {
            "scoreActivation": "sigmoid",
            "boxCoder": {"weights": conv["rpn"]["weights"], "mode": "divide", "clamp": conv["rpn"]["clamp"]},
            "preNmsTopK": conv["rpn"]["pre"], "postNmsTopK": conv["rpn"]["post"], "nmsThreshold": conv["rpn"]["nms"],
            "minSize": conv["rpn"]["min_size"], "minSizeRule": "greater", "scoreThreshold": None,
            "selection": "topk-then-filter", "padProposals": False,
        },
        "head": {
            "roiAlign": {"outputSize": conv["roi_align"]["size"], "spatialScale": conv["roi_align"]["scale"],
                         "samplingRatio": conv["roi_align"]["ratio"], "aligned": conv["roi_align"]["aligned"]},
            "scoreActivation": "softmax", "backgroundIndex": num_classes, "classSpecificBoxes": True,
            "deltasHaveBackgroundSlot": False,
            "boxCoder": {"weights": conv["head"]["weights"], "mode": "divide", "clamp": conv["head"]["clamp"]},
            "clipBoxes": True, "scoreThreshold": conv["head"]["score"], "nmsThreshold": conv["head"]["nms"],
            "detectionsPerImage": conv["head"]["per_image"], "minBoxSize": 0,
        },
        "output": {"boxScaling": "uniform", "clipToImage": False},
        "classes": [{"index": i, "id": int(c), "name": names[c - 1]} for i, c in enumerate(coco)],
    }


def export(model, conv, out):
    """Writes the three graphs; returns the number of foreground classes the head scores."""
    rcnn = model.model.model
    x = torch.rand(1, 3, 320, 427) * 255 - 110
    features = rcnn.backbone(x)
    rois = torch.tensor([[0, 10.0, 20.0, 100.0, 200.0], [0, 0.0, 0.0, 300.0, 150.0]])
    head = Head(rcnn.roi_heads, conv["roi_align"])
    num_classes = head(features, rois)[0].shape[1] - 1  # softmax columns include the background
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(rcnn.backbone, (x,), out / "backbone.onnx", opset_version=OPSET,
                          input_names=["image"], output_names=["features"],
                          dynamic_axes={"image": {0: "n", 2: "h", 3: "w"}, "features": {0: "n", 2: "fh", 3: "fw"}})
        torch.onnx.export(rcnn.proposal_generator.rpn_head, (features,), out / "rpn.onnx", opset_version=OPSET,
                          input_names=["features"], output_names=["objectness", "deltas"],
                          dynamic_axes={"features": {0: "n", 2: "h", 3: "w"}, "objectness": {0: "n", 2: "h", 3: "w"},
                                        "deltas": {0: "n", 2: "h", 3: "w"}})
        torch.onnx.export(head, (features, rois), out / "head.onnx",
                          opset_version=OPSET, input_names=["features", "rois"], output_names=["scores", "deltas"],
                          dynamic_axes={"features": {0: "n", 2: "h", 3: "w"}, "rois": {0: "r"},
                                        "scores": {0: "r"}, "deltas": {0: "r"}})
    return num_classes


def preprocess(model, bgr):
    """The wrapper's own resize and normalisation: the network input the Java side reproduces."""
    x = d2go.wrapper_input(bgr)[None] * 255
    scale = 320.0 / min(x.shape[-2:])
    x = torch.nn.functional.interpolate(x, None, scale, "bilinear", True, True)
    rcnn = model.model.model
    return (x[0] - rcnn.pixel_mean) / rcnn.pixel_std


def write_fixtures(model, conv, out, image):
    rcnn = model.model.model
    head = Head(rcnn.roi_heads, conv["roi_align"])
    fx = selfcheck.Fixtures(out)
    torch.manual_seed(0)
    with torch.no_grad():
        real = preprocess(model, d2go.read_bgr(image))[None]
        random = torch.rand(2, 3, 240, 320) * 255 - 115
        for case, x in (("real-image", real), ("random-batch2", random)):
            f = rcnn.backbone(x)
            fx.add("backbone.onnx", case, {"image": x.numpy()}, {"features": f.numpy()}, MAX_STEPS, MEAN_STEPS)
            obj, deltas = rcnn.proposal_generator.rpn_head(f)
            fx.add("rpn.onnx", case, {"features": f.numpy()}, {"objectness": obj.numpy(), "deltas": deltas.numpy()},
                   MAX_STEPS, MEAN_STEPS)
            h, w = x.shape[-2:]
            proposals = rcnn.proposal_generator(f[:1], torch.tensor([h, w]))
            border = torch.tensor([[0.0, 0.0, w, h], [w - 20.0, h - 30.0, w, h], [0.0, 0.0, 1.0, 1.0], [5.5, 7.25, 60.75, 33.0]])
            boxes = torch.cat([proposals, border])
            batch = torch.zeros(len(boxes), 1)
            if x.shape[0] > 1:
                batch[::2] = 1
            rois = torch.cat([batch, boxes], 1)
            logits, box_deltas = head(f, rois)
            fx.add("head.onnx", case, {"features": f.numpy(), "rois": rois.numpy()},
                   {"scores": logits.numpy(), "deltas": box_deltas.numpy()}, MAX_STEPS, MEAN_STEPS)
    fx.save()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", required=True, type=Path, help="d2go.pt (TorchScript)")
    p.add_argument("--out", required=True, type=Path, help="bundle folder to write")
    p.add_argument("--classes", type=Path, help="class names, one per line (default: classes.txt beside the weights)")
    p.add_argument("--ort-jar", help="onnxruntime jar for the self-check")
    p.add_argument("--check-image", type=Path, help="a real image for the self-check")
    p.add_argument("--if-stale", action="store_true", help="do nothing when --out already holds this conversion")
    a = p.parse_args()
    if not a.weights.is_file():
        raise SystemExit(f"weights not found: {a.weights} (see model-assets/fetch_d2go.sh)")
    started = time.time()
    sha = manifest.sha256(a.weights)
    out = a.out.resolve()
    if a.if_stale and manifest.is_current(out, sha, __file__):
        print(f"bundle {out} is up to date")
        return
    ort_jar = selfcheck.find_ort_jar(a.ort_jar)
    classes = a.classes or a.weights.parent / "classes.txt"
    image = a.check_image or Path(__file__).resolve().parent.parent.parent / "shared/media/images/voc/000004.jpg"
    if not image.is_file():
        raise SystemExit(f"self-check image not found: {image} (pass --check-image)")
    model = d2go.load(a.weights)
    conv = d2go.conventions(model)
    work = out.parent / (out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    num_classes = export(model, conv, work)
    m = build_manifest(conv, a.weights, sha, d2go.class_names(classes), num_classes)
    manifest.write(m, work)
    flops.write(work, m)
    write_fixtures(model, conv, work, image)
    selfcheck.publish(work, out, ort_jar, "TorchScript model", started)


if __name__ == "__main__":
    main()
