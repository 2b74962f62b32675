#!/usr/bin/env python3
"""Prints the D2Go TorchScript model's own end-to-end detections, one JSON object per image.

    /usr/bin/python3 model-assets/reference_d2go.py --weights d2go.pt [--threshold 0] IMAGE...

Each line is {"image", "width", "height", "detections": [{"label", "classId", "score", "box"}]} with boxes
in original-image pixels, the same shape the Java `detect` command prints, so the two can be compared
directly (operators' D2GoParityITCase does). Images are decoded to BGR as OpenCV, and the Java runtime, do.

With --stages DIR it also writes, per image, the tensors between the stages as the TorchScript model computes
them (network input, graph outputs, proposals, head outputs, final detections in network-input pixels), so
the Java pre- and post-processing can be checked on exactly the framework's tensors, free of the int8
rounding differences between ONNX Runtime and PyTorch (operators' D2GoStagesITCase).
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from convert_d2go import Head, preprocess  # noqa: E402
from visionstream_bundle import d2go  # noqa: E402


def detect(model, names, path, threshold, noise=0.0):
    bgr = d2go.read_bgr(path)
    x = d2go.wrapper_input(bgr)
    if noise > 0:
        x = (x + (torch.rand_like(x) * 2 - 1) * (noise / 255.0)).clamp(0, 1)
    with torch.no_grad():
        _, (res,) = model([x])
    detections = []
    for box, label, score in zip(res["boxes"].tolist(), res["labels"].tolist(), res["scores"].tolist()):
        if score >= threshold:
            detections.append({"label": names[label - 1], "classId": label, "score": score, "box": box})
    return {"image": str(path), "width": bgr.shape[1], "height": bgr.shape[0], "detections": detections}


def dump_stages(model, path, out):
    """Writes <stem>.<tensor>.f32 (raw little-endian float32) and <stem>.json (shapes and scale)."""
    rcnn = model.model.model
    bgr = d2go.read_bgr(path)
    x = preprocess(model, bgr)
    h, w = x.shape[-2:]
    with torch.no_grad():
        features = rcnn.backbone(x[None])
        objectness, deltas = rcnn.proposal_generator.rpn_head(features)
        image_size = torch.tensor([h, w])
        proposals = rcnn.proposal_generator(features, image_size)
        rois = torch.cat([torch.zeros(len(proposals), 1), proposals], 1)
        logits, box_deltas = Head(rcnn.roi_heads, d2go.conventions(model)["roi_align"])(features, rois)
        boxes, classes, scores = rcnn.roi_heads(features, proposals, image_size)
    tensors = {"input": x, "objectness": objectness, "rpn_deltas": deltas, "proposals": proposals,
               "head_scores": logits, "head_deltas": box_deltas, "boxes": boxes, "classes": classes.float(),
               "scores": scores}
    stem = Path(path).stem
    shapes = {}
    for name, t in tensors.items():
        np.ascontiguousarray(t.numpy(), dtype="<f4").tofile(out / f"{stem}.{name}.f32")
        shapes[name] = list(t.shape)
    meta = {"image": str(path), "width": bgr.shape[1], "height": bgr.shape[0], "inputHeight": h, "inputWidth": w,
            "shapes": shapes}
    (out / f"{stem}.json").write_text(json.dumps(meta))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", required=True, type=Path, help="d2go.pt (TorchScript)")
    p.add_argument("--classes", type=Path, help="COCO names by id, one per line (default: classes.txt beside the weights)")
    p.add_argument("--threshold", type=float, default=0.0, help="minimum score to print (default 0: all)")
    p.add_argument("--input-noise", type=float, default=0.0, metavar="GREY_LEVELS",
                   help="add uniform noise of up to this many grey levels (seeded): how stable the model itself is")
    p.add_argument("--seed", type=int, default=0, help="seed of the --input-noise draws (default 0)")
    p.add_argument("--stages", type=Path, help="also write the tensors between the stages into this folder")
    p.add_argument("images", nargs="+", type=Path)
    a = p.parse_args()
    model = d2go.load(a.weights)
    names = d2go.class_names(a.classes or a.weights.parent / "classes.txt")
    torch.manual_seed(a.seed)
    for image in a.images:
        print(json.dumps(detect(model, names, image, a.threshold, a.input_noise)), flush=True)
        if a.stages:
            a.stages.mkdir(parents=True, exist_ok=True)
            dump_stages(model, image, a.stages)


if __name__ == "__main__":
    main()
