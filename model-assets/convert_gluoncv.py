#!/usr/bin/env python3
"""Exports gluon-cv 0.7.0 faster_rcnn_resnet50_v1b_voc (re-implemented in PyTorch) as a VisionStream bundle.

    /usr/bin/python3 model-assets/convert_gluoncv.py --params FILE.params --out DIR [--ort-jar JAR] [--if-stale]
    /usr/bin/python3 model-assets/convert_gluoncv.py --random-init --seed N [--reduced] [--calibration-image IMG]
        --out DIR [--ort-jar JAR]

Writes backbone.onnx, rpn.onnx, head.onnx (RoIAlign inside), weights.pt (the PyTorch state_dict the
graphs come from), model.json and flops.json (each graph's arithmetic), then checks each graph under ONNX
Runtime against the PyTorch module on a real image and a random batch (selfcheck/, tools/OrtGraphCheck.java).
Exits non-zero when anything is off; only a bundle that passes replaces DIR.
"""
import argparse
import copy
import hashlib
import io
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from visionstream_bundle import flops, gluoncv, manifest, selfcheck  # noqa: E402
from visionstream_bundle.mxnet_params import ParamsError, read_params  # noqa: E402

NAME = "gluoncv-faster-rcnn-resnet50-v1b-voc"
# gluon-cv's model store (gluoncv/model_zoo/model_store.py): the file's sha1 and its download URL.
MODEL_ZOO_SHA1 = "447328d89d70ae1e2ca49226b8d834e5a5456df3"
MODEL_ZOO_URL = ("https://apache-mxnet.s3-accelerate.dualstack.amazonaws.com/gluon/models/"
                 "faster_rcnn_resnet50_v1b_voc-447328d8.zip")
# Self-check tolerances, as factors of PyTorch's own float32 error on each output (measured against a
# float64 run of the same modules, selfcheck.Fixtures.add_float). The export folds BatchNorm into the
# convolutions and ONNX Runtime sums in another order, so it errs about as much as PyTorch, differently:
# |ORT - torch32| <= |ORT - exact| + |torch32 - exact|, about 2x torch's error. Measured on the reduced and
# full-size seed-7 bundles: at most 1.28x (max) and 1.20x (mean), backbone features of the random batch
# (README section 7). 4x leaves room for other CPUs' kernels; a wrong operation is far outside (an aligned
# RoIAlign: 1e5x). The float32 error itself reaches 200 ulps of the largest feature after 13 blocks.
MAX_FACTOR, MEAN_FACTOR = 4, 4
# --random-init's default calibration image, in shared/media/images/voc: the most textured of the shared
# images, so that the others' activations come out no larger than on it (calibrated on 000004.jpg, the
# others' head logits were twice as spread).
CALIBRATION_IMAGE = "000002.jpg"


def random_batch_rois(h, w, n, seed):
    """n seeded boxes inside an h x w image plus the edge cases of RoIAlign (spec A.7, A.15): the whole
    image, the bottom-right corner, a 1x1 box (RoI < 1 feature cell: width forced to 1), fractional
    coordinates, a box reaching past the border and gluon-cv's (-1,-1,-1,-1) padding row."""
    g = np.random.default_rng(seed)
    xy = g.uniform(0, 1, (n, 2)) * [w * 0.7, h * 0.7]
    boxes = np.concatenate([xy, xy + 16 + g.uniform(0, 1, (n, 2)) * [w * 0.3, h * 0.3]], 1)
    edges = [[0, 0, w, h], [w - 20, h - 30, w, h], [0, 0, 1, 1], [5.5, 7.25, 60.75, 33.0],
             [w - 40, h - 40, w + 25, h + 25], [-1, -1, -1, -1]]
    return torch.from_numpy(np.concatenate([boxes, edges]).astype(np.float32))


def write_fixtures(model, out, image):
    graphs32, graphs64 = gluoncv.graphs(model), gluoncv.graphs(copy.deepcopy(model).double())
    fx = selfcheck.Fixtures(out)
    torch.manual_seed(0)
    with torch.no_grad():
        for case, x in (("real-image", gluoncv.network_input(image)), ("random-batch2", torch.randn(2, 3, 240, 320))):
            h, w = x.shape[-2:]
            boxes = random_batch_rois(h, w, 24, 0)
            batch = torch.zeros(len(boxes), 1)
            if x.shape[0] > 1:
                batch[::2] = 1
            rois = torch.cat([batch, boxes], 1)
            f = graphs32[0](x)
            cases = (("backbone.onnx", {"image": x}, ("features",)),
                     ("rpn.onnx", {"features": f}, ("objectness", "deltas")),
                     ("head.onnx", {"features": f, "rois": rois}, ("scores", "deltas")))
            for (graph, inputs, names), g32, g64 in zip(cases, graphs32, graphs64):
                outputs = dict(zip(names, _tuple(g32(*inputs.values()))))
                exact = dict(zip(names, _tuple(g64(*(v.double() for v in inputs.values())))))
                fx.add_float(graph, case, {k: v.numpy() for k, v in inputs.items()},
                             {k: v.numpy() for k, v in outputs.items()}, {k: v.numpy() for k, v in exact.items()},
                             MAX_FACTOR, MEAN_FACTOR)
    fx.save()


def _tuple(outputs):
    return outputs if isinstance(outputs, tuple) else (outputs,)


def build_manifest(name, description, source):
    return {
        "format": manifest.FORMAT,
        "model": {"name": name, "version": source["sha256"][:12], "description": description, "source": source},
        "preprocess": {
            "colorOrder": "RGB", "pixelScale": 1 / 255, "mean": list(gluoncv.MEAN), "std": list(gluoncv.STD),
            # Eval transform: OpenCV INTER_LINEAR on the 8-bit image, numpy rounding of each side (A.2).
            "resize": {"shortSide": gluoncv.SHORT_SIDE, "maxSize": gluoncv.MAX_SIZE, "method": "opencv-linear",
                       "sizeRounding": "round-half-even"},
            "sizeDivisibility": 0, "padValue": 0.0,
        },
        "anchors": {"style": "gluoncv", "stride": gluoncv.STRIDE,
                    "sizes": [s * gluoncv.BASE_SIZE for s in gluoncv.SCALES], "aspectRatios": list(gluoncv.RATIOS),
                    "offset": 0.0},
        "rpn": {
            "scoreActivation": "sigmoid",  # one logit per anchor, F.sigmoid in RPN (A.5)
            "boxCoder": {"weights": [1, 1, 1, 1], "mode": "multiply", "clamp": None},  # stds 1, clip None (A.6)
            "preNmsTopK": 6000, "postNmsTopK": 300, "nmsThreshold": 0.7,
            "minSize": 16, "minSizeRule": "plus-one-greater-or-equal",  # invalid if x2-x1+1 < 16
            "scoreThreshold": None,
            "selection": "filter-then-topk",  # box_nms drops score -1 rows, then takes the top 6000
            "padProposals": True,  # always 300 RoIs, (-1,-1,-1,-1) rows through the head (A.6, A.15)
        },
        "head": {
            "roiAlign": {"outputSize": list(gluoncv.ROI_SIZE), "spatialScale": 1 / gluoncv.STRIDE,
                         "samplingRatio": gluoncv.SAMPLING_RATIO, "aligned": False},
            "scoreActivation": "softmax", "backgroundIndex": 0, "classSpecificBoxes": True,
            "deltasHaveBackgroundSlot": False,  # box_predictor has 20 x 4 columns (A.10)
            "boxCoder": {"weights": [0.1, 0.1, 0.2, 0.2], "mode": "multiply", "clamp": None},
            "clipBoxes": False, "scoreThreshold": 0.01, "nmsThreshold": 0.3,
            "detectionsPerImage": 0,  # post_nms 100 is never applied (A.11)
            "minBoxSize": 0,
        },
        # eval_faster_rcnn.py clips to the network input, then scales by orig_h / resized_h (A.13).
        "output": {"boxScaling": "height", "clipToImage": True},
        "classes": [{"index": i, "id": i, "name": n} for i, n in enumerate(gluoncv.VOC_CLASSES)],
    }


def source_entry(file, sha):
    return {"file": file, "sha256": sha, "converter": "model-assets/convert_gluoncv.py",
            "converterVersion": manifest.converter_version(__file__)}


def from_params(path):
    """The model with the .params file's weights; (model, name, description, source)."""
    if not path.is_file():
        raise SystemExit(f"params file not found: {path}")
    try:
        model = gluoncv.from_gluon_params(read_params(path))
    except (ParamsError, gluoncv.MappingError) as e:
        raise SystemExit(f"cannot convert {path}: {e}") from None
    source = source_entry(path.name, manifest.sha256(path))
    if hashlib.sha1(path.read_bytes()).hexdigest() == MODEL_ZOO_SHA1:
        source["url"] = MODEL_ZOO_URL
    return model, NAME, "gluon-cv 0.7.0 faster_rcnn_resnet50_v1b_voc (ResNet-50 v1b C4), PASCAL VOC", source


def from_seed(seed, reduced, calibration_image):
    model = gluoncv.build_model(seed=seed, reduced=reduced, calibration_image=calibration_image)
    size = f"widths / {gluoncv.REDUCED_DIVISOR}" if reduced else "full widths"
    name = f"gluoncv-resnet50-c4-voc-random-s{seed}{'-reduced' if reduced else ''}"
    description = (f"RANDOM, untrained weights (seed {seed}, {size}) in the layout of gluon-cv 0.7.0 "
                   "faster_rcnn_resnet50_v1b_voc, for tests and benchmarks: its detections mean nothing")
    return model, name, description, source_entry(gluoncv.WEIGHTS_FILE, weights_sha256(model))


def weights_bytes(model):
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getvalue()


def weights_sha256(model):
    return hashlib.sha256(weights_bytes(model)).hexdigest()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    weights = p.add_mutually_exclusive_group(required=True)
    weights.add_argument("--params", type=Path, help="gluon-cv .params file (save_parameters names)")
    weights.add_argument("--random-init", action="store_true", help="deterministic random weights (--seed)")
    p.add_argument("--seed", type=int, help="seed of --random-init")
    p.add_argument("--reduced", action="store_true", help=f"--random-init with every width / {gluoncv.REDUCED_DIVISOR}")
    p.add_argument("--out", required=True, type=Path, help="bundle folder to write")
    p.add_argument("--ort-jar", help="onnxruntime jar for the self-check")
    p.add_argument("--check-image", type=Path, help="a real image for the self-check")
    p.add_argument("--calibration-image", type=Path,
                   help="the real image --random-init calibrates its weights' magnitudes on")
    p.add_argument("--if-stale", action="store_true", help="do nothing when --out already holds this conversion")
    a = p.parse_args()
    if a.random_init != (a.seed is not None):
        p.error("--random-init and --seed go together")
    if a.reduced and not a.random_init:
        p.error("--reduced applies to --random-init only (a .params file's shapes give its widths)")
    if a.calibration_image and not a.random_init:
        p.error("--calibration-image applies to --random-init only")
    started = time.time()
    images = Path(__file__).resolve().parent.parent.parent / "shared/media/images/voc"
    if a.random_init:
        calibration = a.calibration_image or images / CALIBRATION_IMAGE
        if not calibration.is_file():
            raise SystemExit(f"calibration image not found: {calibration} (pass --calibration-image)")
        model, name, description, source = from_seed(a.seed, a.reduced, calibration)
    else:
        model, name, description, source = from_params(a.params)
    out = a.out.resolve()
    if a.if_stale and manifest.is_current(out, source["sha256"], __file__):
        print(f"bundle {out} is up to date")
        return
    ort_jar = selfcheck.find_ort_jar(a.ort_jar)
    image = a.check_image or images / "000004.jpg"
    if not image.is_file():
        raise SystemExit(f"self-check image not found: {image} (pass --check-image)")
    work = out.parent / (out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    gluoncv.export(model, work)
    (work / gluoncv.WEIGHTS_FILE).write_bytes(weights_bytes(model))
    m = build_manifest(name, description, source)
    manifest.write(m, work)
    flops.write(work, m)
    write_fixtures(model, work, image)
    selfcheck.publish(work, out, ort_jar, "PyTorch model", started)


if __name__ == "__main__":
    main()
