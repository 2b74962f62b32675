#!/usr/bin/env python3
"""Prints gluon-cv faster_rcnn_resnet50_v1b_voc's detections for a bundle's weights, one JSON object per image.

    /usr/bin/python3 model-assets/reference_gluoncv.py --bundle DIR [--threshold 0] [--stages DIR]
        [--network-precision float64|float32] IMAGE...

An independent reference of the whole inference path: gluon-cv 0.7.0's evaluation preprocessing, the
network in PyTorch (float64) with the exact weights the bundle's graphs were exported from (its weights.pt,
through visionstream_bundle.gluoncv), and everything between and after the graphs in numpy float32 as the numerics
spec (shared/docs/faster-rcnn-spec.md part A) states it: anchors, proposals with MXNet box_nms, the 6000
class-major output rows of FasterRCNN.hybrid_forward, and the evaluation's clip and height scaling
(visionstream_bundle.reference_gluoncv_pre/_post). It does not read the manifest's conventions.

Each line is {"image", "width", "height", "detections": [{"label", "classId", "score", "box"}]} like
reference_d2go.py and the Java `detect` command: boxes in original-image pixels, classId the 0-based VOC id,
label its name. Detections are the output rows with id >= 0 in the network's own order: class by class
(VOC id order), each class by descending score (ties: lower proposal first).

- `--threshold T`: print rows with score >= T (default 0: every row the network outputs; its own
  thresholds are score > 0.01 and the NMS validity score > 0.0001).
- `--network-precision float32`: runs the graphs in float32 instead of float64 (the exact outputs,
  rounded to float32 once): how far an ordinary float32 run of the same network strays from the exact one.
- `--stages DIR`: also writes, per image, `<stem>.<tensor>.f32` (raw little-endian float32): `input`
  [3,H,W], `objectness` [15,fh,fw], `rpn_deltas` [60,fh,fw], `proposals` [300,4] (-1 padding rows
  included), `head_scores` [300,21] (logits), `head_deltas` [300,80] and `rows` [6000,6] (the network's
  [id, score, x1, y1, x2, y2] in network-input pixels), plus `<stem>.json` with `image`, `width`,
  `height`, `inputHeight`, `inputWidth` and `shapes`.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from visionstream_bundle import gluoncv  # noqa: E402
from visionstream_bundle import reference_gluoncv_post as post  # noqa: E402
from visionstream_bundle import reference_gluoncv_pre as pre  # noqa: E402


def run(model, rgb):
    """Every stage for one RGB image: {name: float32 array}. The graphs run in the model's precision."""
    dtype = next(model.parameters()).dtype
    x = pre.network_input(rgb)
    h, w = x.shape[1:]
    with torch.no_grad():
        features = model.features(torch.from_numpy(x).to(dtype)[None])
        objectness, rpn_deltas = (t[0].float().numpy() for t in model.rpn(features))
        proposals = post.rpn_proposals(objectness, rpn_deltas, h, w)
        rois = np.concatenate([np.zeros((len(proposals), 1), dtype=np.float32), proposals], axis=1)  # A.7
        head_scores, head_deltas = (t.float().numpy() for t in model.head(features, torch.from_numpy(rois).to(dtype)))
    rows = post.head_rows(head_scores, head_deltas, proposals)
    return {"input": x, "objectness": objectness, "rpn_deltas": rpn_deltas, "proposals": proposals,
            "head_scores": head_scores, "head_deltas": head_deltas, "rows": rows}


def detections(rows, input_width, input_height, original_height, threshold):
    out = []
    for row in post.to_original(rows, input_width, input_height, original_height):
        if row[0] >= 0 and row[1] >= threshold:
            cls = int(row[0])
            out.append({"label": post.CLASSES[cls], "classId": cls, "score": float(row[1]),
                        "box": [float(v) for v in row[2:6]]})
    return out


def write_stages(stages, path, rgb, out):
    stem = Path(path).stem
    for name, t in stages.items():
        np.ascontiguousarray(t, dtype="<f4").tofile(out / f"{stem}.{name}.f32")
    h, w = stages["input"].shape[1:]
    meta = {"image": str(path), "width": rgb.shape[1], "height": rgb.shape[0], "inputHeight": h, "inputWidth": w,
            "shapes": {name: list(t.shape) for name, t in stages.items()}}
    (out / f"{stem}.json").write_text(json.dumps(meta))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", required=True, type=Path, help="bundle folder with weights.pt")
    p.add_argument("--threshold", type=float, default=0.0, help="minimum score to print (default 0: all)")
    p.add_argument("--stages", type=Path, help="also write the tensors between the stages into this folder")
    p.add_argument("--network-precision", choices=("float64", "float32"), default="float64",
                   help="precision of the graphs (default float64: the exact outputs; float32 shows how far an "
                        "ordinary float32 run of the same network strays from them)")
    p.add_argument("images", nargs="+", type=Path)
    a = p.parse_args()
    # By default the network runs in float64 and its outputs are rounded to float32 once: any float32 run
    # (MXNet, ONNX Runtime, PyTorch) differs from the exact outputs by its own summation error, so the
    # reference holds none. The spec pins the float32 arithmetic between and after the graphs, not inside.
    model = gluoncv.load_model(a.bundle).to(getattr(torch, a.network_precision))
    if a.stages:
        a.stages.mkdir(parents=True, exist_ok=True)
    for image in a.images:
        rgb = pre.read_rgb(image)
        stages = run(model, rgb)
        h, w = stages["input"].shape[1:]
        result = {"image": str(image), "width": rgb.shape[1], "height": rgb.shape[0],
                  "detections": detections(stages["rows"], w, h, rgb.shape[0], a.threshold)}
        print(json.dumps(result), flush=True)
        if a.stages:
            write_stages(stages, image, rgb, a.stages)


if __name__ == "__main__":
    main()
