"""gluon-cv 0.7.0 `faster_rcnn_resnet50_v1b_voc` re-implemented in PyTorch, split into the bundle's graphs.

Spec: shared/docs/faster-rcnn-spec.md part A (section numbers below are its). The module tree mirrors
gluon-cv's own block tree (gluoncv/model_zoo/rcnn/faster_rcnn/predefined_models.py, rcnn.py, rpn/rpn.py,
resnetv1b.py), so a PyTorch state_dict key is the gluon `save_parameters` name with BatchNorm's
`weight`/`bias` spelled `gamma`/`beta` (`gluon_names`):

    features       = HybridSequential(conv1, bn1, relu, maxpool, layer1, layer2, layer3)  indices 0..6
    top_features   = HybridSequential(layer4)                                             index 0
    rpn.conv1      = HybridSequential(Conv2D 3x3 + bias, relu); rpn.score 1x1 (A logits); rpn.loc 1x1 (4A)
    class_predictor = Dense(2048 -> 21), box_predictor = Dense(2048 -> 80)
    a bottleneck   = conv1 1x1, bn1, conv2 3x3 (the stride, v1b), bn2, conv3 1x1, bn3, downsample.{0,1}

The three graphs (`graphs(model)`): backbone `image` -> `features` (stride 16, ceil(H/16) x ceil(W/16),
A.3), rpn `features` -> `objectness` [N,15,h,w] logits and `deltas` [N,60,h,w] (gluon-cv's own channel
layout is already the bundle's: anchor a = 5*ratio + scale, deltas 4a..4a+3, A.4/A.5), head `features`,
`rois` [R,5] -> RoIAlign 14x14 at 1/16, 2x2 samples, not aligned (A.7) -> layer4 -> global mean ->
`scores` [R,21] logits (softmax in Java, background column 0) and `deltas` [R,80] (class c at 4c..4c+3,
no background slot, A.10).

For the reference (independent PyTorch re-run of the same weights):
    model = load_model(bundle_dir)              # the weights the bundle's graphs were exported from
    model = build_model(seed=7, reduced=True)   # the same weights, rebuilt (deterministic on one torch build)
    feats = model.features(image); obj, deltas = model.rpn(feats); scores, deltas = model.head(feats, rois)
Every bundle holds `weights.pt`, the model's state_dict (torch.save); `load_model` reads it and infers
the widths from its shapes. `REDUCED_DIVISOR` divides every width of the reduced model.
"""
import math
import warnings
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from torch import nn

# gluon-cv constants (spec A.1); the manifest is built from these.
VOC_CLASSES = ("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
               "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
               "train", "tvmonitor")  # A.14, VOCDetection.CLASSES
SHORT_SIDE, MAX_SIZE = 600, 1000
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
STRIDE = 16
BASE_SIZE, SCALES, RATIOS = 16, (2, 4, 8, 16, 32), (0.5, 1, 2)
ALLOC_SIZE = (128, 128)  # RPNAnchorGenerator's pre-computed grid (the `anchors` constant in .params)
ROI_SIZE, SAMPLING_RATIO = (14, 14), 2
BN_EPS = 1e-5  # gluon BatchNorm default epsilon (use_global_stats: running statistics only)
STAGE_BLOCKS = (3, 4, 6, 3)  # resnet50_v1b
STEM, PLANES, RPN_CHANNELS = 64, (64, 128, 256, 512), 1024
EXPANSION = 4
REDUCED_DIVISOR = 8

WEIGHTS_FILE = "weights.pt"


class Bottleneck(nn.Module):
    """BottleneckV1b: the stride is on the 3x3 conv; convolutions have no bias."""

    def __init__(self, inplanes, planes, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes, eps=BN_EPS)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes, eps=BN_EPS)
        self.conv3 = nn.Conv2d(planes, planes * EXPANSION, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * EXPANSION, eps=BN_EPS)
        self.relu = nn.ReLU()
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


def _layer(inplanes, planes, blocks, stride):
    downsample = None
    if stride != 1 or inplanes != planes * EXPANSION:
        downsample = nn.Sequential(nn.Conv2d(inplanes, planes * EXPANSION, 1, stride, bias=False),
                                   nn.BatchNorm2d(planes * EXPANSION, eps=BN_EPS))
    layers = [Bottleneck(inplanes, planes, stride, downsample)]
    layers += [Bottleneck(planes * EXPANSION, planes, 1, None) for _ in range(1, blocks)]
    return nn.Sequential(*layers)


class RPNHead(nn.Module):
    def __init__(self, in_channels, channels, anchors):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, channels, 3, 1, 1), nn.ReLU())
        self.score = nn.Conv2d(channels, anchors, 1)
        self.loc = nn.Conv2d(channels, anchors * 4, 1)

    def forward(self, features):
        x = self.conv1(features)
        return self.score(x), self.loc(x)


class FasterRCNN(nn.Module):
    def __init__(self, reduced=False):
        super().__init__()
        d = REDUCED_DIVISOR if reduced else 1
        stem, planes = STEM // d, [p // d for p in PLANES]
        stages, inplanes = [], stem
        for i, (p, blocks) in enumerate(zip(planes, STAGE_BLOCKS)):
            stages.append(_layer(inplanes, p, blocks, 1 if i == 0 else 2))
            inplanes = p * EXPANSION
        self.features = nn.Sequential(nn.Conv2d(3, stem, 7, 2, 3, bias=False), nn.BatchNorm2d(stem, eps=BN_EPS),
                                      nn.ReLU(), nn.MaxPool2d(3, 2, 1), *stages[:3])
        self.top_features = nn.Sequential(stages[3])
        feature_channels = planes[2] * EXPANSION
        self.rpn = RPNHead(feature_channels, RPN_CHANNELS // d, len(SCALES) * len(RATIOS))
        self.class_predictor = nn.Linear(inplanes, len(VOC_CLASSES) + 1)
        self.box_predictor = nn.Linear(inplanes, len(VOC_CLASSES) * 4)

    def box_features(self, features, rois):
        """rois [R, 5]: batch index, x1, y1, x2, y2 in network-input pixels -> [R, C] pooled layer4 output."""
        pooled = torchvision.ops.roi_align(features, rois, ROI_SIZE, 1.0 / STRIDE, SAMPLING_RATIO, aligned=False)
        return self.top_features(pooled).mean((2, 3))  # AdaptiveAvgPooling2D(1) + Dense's flatten

    def head(self, features, rois):
        """-> (class logits [R, 21], box deltas [R, 80])."""
        x = self.box_features(features, rois)
        return self.class_predictor(x), self.box_predictor(x)


class _Head(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, features, rois):
        return self.model.head(features, rois)


def graphs(model):
    """(backbone, rpn, head) modules with the bundle's inputs and outputs. The head wrapper starts in eval
    mode: torch.onnx.export restores each exported module's mode afterwards, and a wrapper left in training
    mode would switch the whole model's BatchNorms back to batch statistics."""
    return model.features, model.rpn, _Head(model).eval()


def build_model(seed=None, reduced=False, calibration_image=None):
    """The network in eval mode; with a seed, the deterministic random initialisation (`random_init`)
    calibrated on the image file `calibration_image`."""
    model = FasterRCNN(reduced)
    if seed is not None:
        random_init(model, seed, network_input(calibration_image))
    return model.eval()


def load_model(bundle_dir):
    """The model whose weights a bundle's graphs were exported from (its weights.pt)."""
    state = torch.load(Path(bundle_dir) / WEIGHTS_FILE, map_location="cpu")
    model = FasterRCNN(_is_reduced(state["features.0.weight"].shape))
    model.load_state_dict(state)
    return model.eval()


def _is_reduced(stem_weight_shape):
    """Full or reduced widths, from the stem convolution's output channels."""
    return stem_weight_shape[0] == STEM // REDUCED_DIVISOR


# --- random initialisation -------------------------------------------------------------------------
# Targets for the output layers' spread on the calibration image, those of a trained detector: objectness
# and class logits with a standard deviation of 2 give sigmoid/softmax scores spread over (0, 1), neither
# uniform nor saturated at 0 or 1; RPN deltas of 0.3 move and resize anchors by about 30% (stds 1), head
# deltas of 1 by 10% / exp(0.2) (stds 0.1, 0.2), so boxes move but stay on the image.
OBJECTNESS_STD, RPN_DELTA_STD, CLASS_LOGIT_STD, HEAD_DELTA_STD = 2.0, 0.3, 2.0, 1.0
CALIBRATION_ROIS = 64
# BN gamma ranges: each bottleneck's last BN (bn3) keeps its residual branch small, as training leaves it
# (and zero-gamma init starts it). With bn3 like the others, the branches amplify rounding block by block:
# float32 features after layer3 stray 10x further from float64 (3.6e-4 instead of 3e-5, reduced seed 7),
# enough to break the float parity bound on their own.
GAMMA = (0.5, 1.5)
RESIDUAL_GAMMA = (0.1, 0.5)


def random_init(model, seed, image):
    """Deterministic random weights (per seed and calibration image) with a trained network's magnitudes.

    He-normal convolutions and N(0, 1/fan_in) dense layers, BN gamma uniform in GAMMA (RESIDUAL_GAMMA for
    bn3) and beta N(0, 0.1); then the BN running statistics are set to the statistics of a real image's
    activations (`image`, a [1, 3, H, W] network input; for layer4, of seeded RoIs pooled from its
    features), so every BN output is about N(beta, gamma^2) per channel on real images as in a trained
    network, and activations stay O(1) through all 16 residual blocks. Finally the output layers are
    rescaled on that image to the target spreads above. Calibrating on noise instead leaves real images'
    activations growing block by block (noise lacks their spatial correlation): head logits of +-117,
    saturated softmax scores and boxes spanning thousands of pixels, where float32 rounding alone moves
    scores by 1e-4.
    """
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                m.weight.normal_(0, math.sqrt(2.0 / fan_in), generator=g)
                if m.bias is not None:
                    m.bias.zero_()
            elif isinstance(m, nn.Linear):
                m.weight.normal_(0, 1 / math.sqrt(m.in_features), generator=g)
                m.bias.zero_()
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(*(RESIDUAL_GAMMA if name.endswith(".bn3") else GAMMA), generator=g)
                m.bias.normal_(0, 0.1, generator=g)
        rois = _calibration_rois(g, CALIBRATION_ROIS, *image.shape[-2:])
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        for m in bns:
            m.train()
            m.momentum = 1.0  # running statistics := this input's statistics
        model.box_features(model.features(image), rois)
        for m in bns:
            m.momentum = 0.1
        model.eval()
        features = model.features(image)
        h = model.rpn.conv1(features)
        _rescale(model.rpn.score, h, OBJECTNESS_STD)
        _rescale(model.rpn.loc, h, RPN_DELTA_STD)
        top = model.box_features(features, rois)
        _rescale(model.class_predictor, top, CLASS_LOGIT_STD)
        _rescale(model.box_predictor, top, HEAD_DELTA_STD)
        # A trained detector calls most proposals background: here background has probability >= 0.5 on
        # half of the calibration RoIs.
        logits = model.class_predictor(top)
        model.class_predictor.bias[0] = (logits[:, 1:].logsumexp(1) - logits[:, 0]).median()


def _calibration_rois(g, n, h, w):
    """n seeded boxes on the image, 16 px to half its sides, batch index 0."""
    xy = torch.rand(n, 2, generator=g) * torch.tensor([w * 0.8, h * 0.8])
    wh = 16 + torch.rand(n, 2, generator=g) * torch.tensor([w * 0.5, h * 0.5])
    return torch.cat([torch.zeros(n, 1), xy, xy + wh], 1)


def _rescale(layer, x, target_std):
    layer.weight.mul_(target_std / layer(x).std().item())


# --- gluon-cv parameter names ----------------------------------------------------------------------
# In a save_parameters file of gluon-cv 0.7 but not used by the inference graphs: the R-CNN training
# target generator's box-encoder constants (FasterRCNN._target_generator, an RCNNTargetGenerator, whose
# NormalizedPerClassBoxCenterEncoder holds means/stds as constants under MXNet >= 1.6; nn/coder.py).
TRAINING_ONLY = ("_target_generator._box_encoder.means", "_target_generator._box_encoder.stds")
# RPNAnchorGenerator's pre-computed anchor grid (a constant, rpn/anchor.py). The runtime computes the
# anchors from the manifest instead; when the file has this constant it must equal those anchors.
ANCHORS = "rpn.anchor_generator.anchors"
_BN_NAMES = {"weight": "gamma", "bias": "beta", "running_mean": "running_mean", "running_var": "running_var"}


class MappingError(ValueError):
    """A .params file whose names or shapes are not those of this network."""


def gluon_names(model):
    """{gluon-cv parameter name: state_dict key}, in the model's order."""
    out = {}
    for prefix, m in model.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            out.update({f"{prefix}.{gluon}": f"{prefix}.{torch_name}" for torch_name, gluon in _BN_NAMES.items()})
        elif isinstance(m, (nn.Conv2d, nn.Linear)):
            out.update({f"{prefix}.{n}": f"{prefix}.{n}" for n, _ in m.named_parameters(recurse=False)})
    return out


def to_gluon_params(model):
    """The model's weights under gluon-cv's names, as numpy arrays (what save_parameters would write)."""
    state = model.state_dict()
    return {g: state[t].numpy().copy() for g, t in gluon_names(model).items()}


def from_gluon_params(params):
    """A model (full widths, or reduced when the stem has 64 / REDUCED_DIVISOR channels) holding the
    {gluon name: array} weights; raises MappingError on any missing, unexpected or mis-shaped name (the
    training-only constants are skipped, the anchor constant is checked)."""
    if params and not any("." in name for name in params):
        raise MappingError(
            f"the file has no structural names (first: {next(iter(params))!r}): it was written by the legacy "
            "save_params or by export(), with prefixed names; load it in gluon-cv and write it again with "
            "net.save_parameters(...)")
    stem = params.get("features.0.weight")
    model = FasterRCNN(stem is not None and _is_reduced(stem.shape)).eval()
    names = gluon_names(model)
    missing = [n for n in names if n not in params]
    unexpected = [n for n in params if n not in names and n not in TRAINING_ONLY and n != ANCHORS]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing: {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}")
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected: {', '.join(unexpected[:8])}"
                         f"{' ...' if len(unexpected) > 8 else ''}")
        raise MappingError("parameter names do not match faster_rcnn_resnet50_v1b_voc: " + "; ".join(parts))
    state = model.state_dict()
    for g, t in names.items():
        array = params[g]
        if tuple(array.shape) != tuple(state[t].shape):
            raise MappingError(f"parameter {g}: shape {tuple(array.shape)} in the file, "
                               f"expected {tuple(state[t].shape)}")
        if array.dtype != np.float32:
            raise MappingError(f"parameter {g}: dtype {array.dtype} in the file, expected float32")
    if ANCHORS in params:
        expected = gluon_anchor_grid()
        found = params[ANCHORS]
        if found.shape != expected.shape or not np.array_equal(found, expected):
            raise MappingError(f"parameter {ANCHORS}: the file's anchors {found.shape} are not the ones the "
                               f"manifest describes (gluoncv style, stride {STRIDE}, scales {SCALES}, "
                               f"ratios {RATIOS}, grid {ALLOC_SIZE})")
    with torch.no_grad():
        for g, t in names.items():
            state[t].copy_(torch.from_numpy(np.ascontiguousarray(params[g])))
    return model


def gluon_cell_anchors():
    """The 15 cell anchors of A.4 (py-faster-rcnn enumeration, +1 widths, ratios outer), float64 [15, 4]."""
    w = h = float(BASE_SIZE)
    cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
    out = []
    for r in RATIOS:
        ws = np.round(np.sqrt(w * h / r))
        hs = np.round(ws * r)
        for s in SCALES:
            sw, sh = ws * s, hs * s
            out.append([cx - 0.5 * (sw - 1), cy - 0.5 * (sh - 1), cx + 0.5 * (sw - 1), cy + 0.5 * (sh - 1)])
    return np.array(out)


def gluon_anchor_grid():
    """RPNAnchorGenerator's constant: cell anchors shifted by STRIDE over ALLOC_SIZE, [1, 1, H, W, 4A] float32."""
    gh, gw = ALLOC_SIZE
    ys, xs = np.meshgrid(np.arange(gh) * STRIDE, np.arange(gw) * STRIDE, indexing="ij")
    shifts = np.stack([xs, ys, xs, ys], -1).reshape(gh, gw, 1, 4)
    return (gluon_cell_anchors()[None, None] + shifts).reshape(1, 1, gh, gw, -1).astype(np.float32)


# --- preprocessing (A.2) ---------------------------------------------------------------------------

def network_size(width, height):
    """gluon-cv's resize_short_within: (new_w, new_h), each side rounded half-to-even."""
    scale = SHORT_SIDE / min(width, height)
    if np.round(scale * max(width, height)) > MAX_SIZE:
        scale = MAX_SIZE / max(width, height)
    return int(np.round(width * scale)), int(np.round(height * scale))


def network_input(path):
    """An image file as gluon-cv's eval transform feeds it (A.2): RGB, short side 600 (long <= 1000), /255,
    ImageNet mean/std, [1, 3, H, W] float32. Resampled with PIL's bilinear filter: the converter needs a
    real input, not OpenCV's exact pixels (the reference has those)."""
    rgb = Image.open(path).convert("RGB")
    rgb = rgb.resize(network_size(*rgb.size), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(rgb, dtype=np.float32) / 255).permute(2, 0, 1)
    return ((x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None])[None]


# --- ONNX ------------------------------------------------------------------------------------------

def register_roi_align_opset16():
    """torchvision's own RoiAlign symbolic (registered for opset 11) sets no coordinate_transformation_mode,
    so at opset 16 ONNX Runtime applies the default half_pixel: the aligned variant. This one states it."""
    from torch.onnx import register_custom_op_symbolic, symbolic_helper

    @symbolic_helper.parse_args("v", "v", "f", "i", "i", "i", "i")
    def roi_align(g, features, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        column0 = g.op("Gather", rois, g.op("Constant", value_t=torch.tensor([0])), axis_i=1)
        batch = g.op("Cast", g.op("Squeeze", column0, g.op("Constant", value_t=torch.tensor([1]))),
                     to_i=7)  # TensorProto.INT64
        boxes = g.op("Gather", rois, g.op("Constant", value_t=torch.tensor([1, 2, 3, 4])), axis_i=1)
        return g.op("RoiAlign", features, boxes, batch, spatial_scale_f=spatial_scale,
                    output_height_i=pooled_h, output_width_i=pooled_w, sampling_ratio_i=max(sampling_ratio, 0),
                    coordinate_transformation_mode_s="half_pixel" if aligned else "output_half_pixel")

    register_custom_op_symbolic("torchvision::roi_align", roi_align, 16)


def export(model, out, opset=16):
    """Writes backbone.onnx, rpn.onnx and head.onnx (float32, dynamic n/h/w and r axes)."""
    register_roi_align_opset16()
    backbone, rpn, head = graphs(model)
    x = torch.randn(1, 3, 256, 320)
    with torch.no_grad():
        features = backbone(x)
    rois = torch.tensor([[0, 10.0, 20.0, 100.0, 200.0], [0, 0.0, 0.0, 300.0, 150.0]])
    spatial = {0: "n", 2: "h", 3: "w"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(backbone, (x,), out / "backbone.onnx", opset_version=opset,
                          input_names=["image"], output_names=["features"],
                          dynamic_axes={"image": spatial, "features": {0: "n", 2: "fh", 3: "fw"}})
        torch.onnx.export(rpn, (features,), out / "rpn.onnx", opset_version=opset,
                          input_names=["features"], output_names=["objectness", "deltas"],
                          dynamic_axes={"features": spatial, "objectness": spatial, "deltas": spatial})
        torch.onnx.export(head, (features, rois), out / "head.onnx", opset_version=opset,
                          input_names=["features", "rois"], output_names=["scores", "deltas"],
                          dynamic_axes={"features": spatial, "rois": {0: "r"}, "scores": {0: "r"},
                                        "deltas": {0: "r"}})
