"""Loading the D2Go TorchScript export and reading its conventions from its own code and buffers."""
import re
import warnings
from pathlib import Path

import numpy as np
import torch
import torchvision  # noqa: F401  registers torchvision::nms and roi_align before torch.jit.load
from PIL import Image

# The export calls torch.meshgrid without indexing=; the warning says nothing about the result.
warnings.filterwarnings("ignore", message="torch.meshgrid")


def load(weights):
    torch.backends.quantized.engine = "qnnpack"  # the engine the model was quantised for
    return torch.jit.load(str(weights), map_location="cpu").eval()


def read_bgr(path):
    """An image file as a uint8 HWC BGR array (the order OpenCV, and the Java runtime, decode to)."""
    rgb = np.asarray(Image.open(path).convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def wrapper_input(bgr):
    """What the exported wrapper expects: CHW float BGR in [0, 1]."""
    return torch.from_numpy(bgr).permute(2, 0, 1).float() / 255.0


def _find(pattern, code, what):
    m = re.search(pattern, code)
    if not m:
        raise SystemExit(f"cannot read {what} from the TorchScript code (pattern {pattern!r}); "
                         "the export differs from the one this converter knows")
    return m.groups()


def _constants(module):
    code, consts = module.code_with_constants
    return code, {k: float(v) for k, v in consts.const_mapping.items()}


def conventions(model):
    """Every constant the Java runtime needs, read from the model's code and buffers."""
    rcnn = model.model.model
    wrapper_code = model.code
    short_side, = _find(r"torch\.div\(([0-9.]+), _\d+\)", wrapper_code, "the resize short side")
    mode, align = _find(r'_0\(x, None, scale, "(\w+)", (True|False)', wrapper_code, "the interpolation")
    anchor_code = rcnn.proposal_generator.anchor_generator.code
    start, stride = _find(r"torch\.arange\(([0-9.]+), _\d+, (\d+)", anchor_code, "the anchor stride")
    cell = getattr(rcnn.proposal_generator.anchor_generator.cell_anchors, "0").numpy().astype(np.float64)
    sizes, ratios = _sizes_and_ratios(cell)

    rpn_code, rpn_c = _constants(rcnn.proposal_generator)
    pre, = _find(r"torch\.clamp\(Hi_Wi_A, None, (\d+)\)", rpn_code, "rpn pre-NMS top-k")
    post, = _find(r"torch\.slice\(keep\d*, 0, 0, (\d+)(?:, 1)?\)", rpn_code, "rpn post-NMS top-k")
    rpn_nms, = _find(r"_0\(_\d+, scores_per_img\d*, _\d+, ([0-9.]+), \)", rpn_code, "rpn NMS threshold")
    rpn_clamp, = _find(r"dw0 = torch\.clamp\(dw, None, ([0-9.]+)\)", rpn_code, "rpn delta clamp")
    min_size, = _find(r"torch\.gt\(widths0, ([0-9.]+)\)", rpn_code, "rpn minimum size")

    head_code, head_c = _constants(rcnn.roi_heads)
    head_w = [head_c[_find(rf"{v} = torch\.div\(_\d+, CONSTANTS\.(c\d+)\)", head_code, f"head weight {v}")[0]]
              for v in ("dx", "dy", "dw", "dh")]
    rpn_w = [rpn_c[_find(rf"{v} = torch\.div\(_\d+, CONSTANTS\.(c\d+)\)", rpn_code, f"rpn weight {v}")[0]]
             for v in ("dx", "dy", "dw", "dh")]
    head_clamp, = _find(r"dw0 = torch\.clamp\(dw, None, ([0-9.]+)\)", head_code, "head delta clamp")
    score_thresh, = _find(r"filter_mask = torch\.gt\(scores0, ([0-9.]+)\)", head_code, "score threshold")
    head_nms, = _find(r"_0\(boxes3, scores1, _\d+, ([0-9.]+), \)", head_code, "head NMS threshold")
    per_image, = _find(r"keep0 = torch\.slice\(keep, 0, 0, (\d+)(?:, 1)?\)", head_code, "detections per image")
    _find(r"scores0 = torch\.slice\(_\d+, 1, 0, -1(?:, 1)?\)", head_code, "the background column (last)")

    pooler = getattr(rcnn.roi_heads.box_pooler.level_poolers, "0")
    scale, out_h, out_w, ratio, aligned = _find(
        r"roi_align\(argument_2, boxes, ([0-9.]+), (\d+), (\d+), (-?\d+), (True|False)\)", pooler.code, "RoIAlign settings")
    return {
        "mean": rcnn.pixel_mean.flatten().tolist(),
        "std": rcnn.pixel_std.flatten().tolist(),
        "short_side": int(float(short_side)),
        "align_corners": align == "True" and mode == "bilinear",
        "stride": int(stride),
        "offset": float(start) / int(stride),
        "cell_anchors": cell,
        "sizes": sizes,
        "ratios": ratios,
        "rpn": {"pre": int(pre), "post": int(post), "nms": float(rpn_nms), "clamp": float(rpn_clamp),
                "min_size": float(min_size), "weights": rpn_w},
        "head": {"weights": head_w, "clamp": float(head_clamp), "score": float(score_thresh), "nms": float(head_nms),
                 "per_image": int(per_image)},
        "roi_align": {"scale": float(scale), "size": [int(out_h), int(out_w)], "ratio": int(ratio),
                      "aligned": aligned == "True"},
        "coco_idx": model.coco_idx.tolist(),
    }


def _sizes_and_ratios(cell):
    """detectron2 cell anchors are size-major: recover sizes and ratios, then insist they regenerate the buffer."""
    w = cell[:, 2] - cell[:, 0]
    h = cell[:, 3] - cell[:, 1]
    size_of = np.sqrt(w * h)
    ratio_of = h / w
    sizes = [float(s) for s in dict.fromkeys(np.round(size_of, 4))]
    ratios = [float(r) for r in dict.fromkeys(np.round(ratio_of, 4))]
    regenerated = []
    for s in sizes:
        for r in ratios:
            aw = np.sqrt(s * s / r)
            ah = r * aw
            regenerated.append([-aw / 2, -ah / 2, aw / 2, ah / 2])
    if not np.allclose(np.array(regenerated), cell, atol=1e-3):
        raise SystemExit("the cell anchors are not detectron2's size-major grid of sizes x ratios")
    return sizes, ratios


def class_names(path):
    names = [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
    return names
