"""gluon-cv 0.7.0 faster_rcnn_resnet50_v1b_voc between and after its graphs, in numpy float32.

An independent reference for the Java runtime: every step is written from the numerics spec
(/work/shared/docs/faster-rcnn-spec.md, part A; section numbers below are that document's) and the MXNet
operators it cites, not from the Java code. The constants are the spec's (A.1), not the bundle manifest's,
so a wrong manifest shows up as a difference instead of being copied into both sides.

Arrays are float32 and every operation is done in float32 in the order MXNet's kernels do it (A.15), except
where MXNet itself widens (softmax accumulates in double). Boxes are (x1, y1, x2, y2) in network-input
pixels until `to_original`.
"""
import numpy as np

F32 = np.float32

# A.1
STRIDE = 16
RATIOS = (0.5, 1.0, 2.0)
SCALES = (2, 4, 8, 16, 32)  # anchor sizes 32..512 divided by the stride
ANCHORS_PER_CELL = len(RATIOS) * len(SCALES)
RPN_NMS_THRESH = 0.7
RPN_PRE_NMS = 6000
RPN_POST_NMS = 300
RPN_MIN_SIZE = 16
RPN_STDS = (1.0, 1.0, 1.0, 1.0)
HEAD_STDS = (0.1, 0.1, 0.2, 0.2)  # A.10, NormalizedBoxCenterDecoder defaults
CLASS_THRESH = 0.01  # A.9, MultiPerClassDecoder
NMS_THRESH = 0.3  # A.11
NMS_TOPK = 400
NMS_VALID_THRESH = 0.0001
# A.14: 0-based ids as the network outputs them; softmax column = id + 1, column 0 is background.
CLASSES = ("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
           "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
           "tvmonitor")


def base_anchors():
    """The 15 cell anchors of A.4 (py-faster-rcnn, +1 widths), ratio-major: a = 5 * ratio_index + scale_index.

    Computed in float64 as numpy does in gluon-cv's generator; every value is an exact half, so float32 holds
    them exactly.
    """
    base = np.array([0, 0, STRIDE - 1, STRIDE - 1], dtype=np.float64)  # [1, 1, 16, 16] - 1
    w = base[2] - base[0] + 1
    h = base[3] - base[1] + 1
    cx = base[0] + 0.5 * (w - 1)
    cy = base[1] + 0.5 * (h - 1)
    out = []
    for ratio in RATIOS:
        ws = np.round(np.sqrt(w * h / ratio))  # numpy round: half to even
        hs = np.round(ws * ratio)
        for scale in SCALES:
            sw, sh = ws * scale, hs * scale
            out.append([cx - 0.5 * (sw - 1), cy - 0.5 * (sh - 1), cx + 0.5 * (sw - 1), cy + 0.5 * (sh - 1)])
    return np.array(out, dtype=np.float64)


def grid_anchors(fh, fw):
    """(fh * fw * 15, 4) float32; anchor n = (i * fw + j) * 15 + a is base[a] shifted by (16 j, 16 i) (A.4)."""
    i, j = np.meshgrid(np.arange(fh), np.arange(fw), indexing="ij")
    shift = np.stack([j, i, j, i], axis=-1).reshape(-1, 1, 4) * STRIDE
    return (base_anchors()[None] + shift).reshape(-1, 4).astype(F32)


def expf(x):
    """C's expf, which MXNet's float kernels call. glibc's is within 0.502 ulp, so exp in double rounded to
    float is a faithful stand-in; numpy's own float32 exp is an approximation that differs in the last bit
    on about 40% of RPN logits, enough to change which sigmoid scores tie. Overflows to inf as expf does."""
    with np.errstate(over="ignore"):
        return np.exp(np.asarray(x, dtype=np.float64)).astype(F32)


def box_decode(deltas, anchors, stds):
    """MXNet contrib.box_decode, corner format, no clip (A.6 step 1, A.10, A.15).

    deltas (..., 4) = (dx, dy, dw, dh); anchors broadcast against them. Widths have no +1. The order of
    operations is the kernel's: ((d * std) * aw) + ax, (exp(d * std) * aw) * 0.5, then centre -/+ half.
    """
    d = np.asarray(deltas, dtype=F32)
    a = np.asarray(anchors, dtype=F32)
    s0, s1, s2, s3 = (F32(s) for s in stds)
    half = F32(0.5)
    aw = a[..., 2] - a[..., 0]
    ah = a[..., 3] - a[..., 1]
    ax = a[..., 0] + aw * half
    ay = a[..., 1] + ah * half
    with np.errstate(over="ignore", invalid="ignore"):  # A.15: no clamp, so exp may overflow to inf
        ox = d[..., 0] * s0 * aw + ax
        oy = d[..., 1] * s1 * ah + ay
        ow = expf(d[..., 2] * s2) * aw * half
        oh = expf(d[..., 3] * s3) * ah * half
        return np.stack([ox - ow, oy - oh, ox + ow, oy + oh], axis=-1).astype(F32)


def clip_to_image(boxes, width, height):
    """BBoxClipToImage (A.6 step 2, A.13): max(v, 0), then x <= W and y <= H (not W - 1, H - 1).

    np.maximum/minimum propagate NaN; the spec does not pin NaN down, and only an overflowing exp makes one.
    """
    out = np.maximum(np.asarray(boxes, dtype=F32), F32(0))
    limit = np.array([width, height, width, height], dtype=F32)
    return np.minimum(out, limit)


def _intersect(a1, a2, b1, b2):
    """MXNet's Intersect for one axis, corner format, with its exact ternaries (NaN never wins a compare)."""
    left = np.where(a1 > b1, a1, b1)
    right = np.where(a2 < b2, a2, b2)
    w = right - left
    return np.where(w > 0, w, F32(0))


def _area(box):
    """MXNet's BoxArea: (x2 - x1) * (y2 - y1), 0 when either side is negative (A.12 step 4)."""
    w = box[..., 2] - box[..., 0]
    h = box[..., 3] - box[..., 1]
    return np.where((w < 0) | (h < 0), F32(0), w * h)


def box_nms(data, overlap_thresh, valid_thresh, topk, coord_start, score_index, id_index, force_suppress,
            background_id=-1):
    """MXNet 1.6 contrib.box_nms on the CPU (A.12), corner format in and out.

    data (B, N, K) float32; every batch slice is suppressed on its own. Per slice: valid rows have
    score > valid_thresh (and, with id_index >= 0, id != background_id); they are sorted by score,
    descending, stably (ties keep the lower row first); only the first min(N, topk) take part (topk < 0: all);
    greedy NMS suppresses a later candidate when IoU > overlap_thresh (same id unless force_suppress); the
    survivors are copied whole, in sorted order, and every other row is -1.
    """
    data = np.asarray(data, dtype=F32)
    b, n, _ = data.shape
    k = n if topk < 0 else min(n, topk)
    out = np.full_like(data, -1)
    thresh = F32(overlap_thresh)
    for s in range(b):
        rows = data[s]
        scores = rows[:, score_index]
        valid = scores > F32(valid_thresh)
        if id_index >= 0:
            valid &= rows[:, id_index] != background_id
        index = np.flatnonzero(valid)
        order = index[np.argsort(-scores[index], kind="stable")][:k]
        boxes = rows[order, coord_start:coord_start + 4]
        areas = _area(boxes)
        ids = rows[order, id_index].astype(np.int64) if id_index >= 0 else None  # static_cast<int>
        keep = np.ones(len(order), dtype=bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            for r in range(len(order)):
                if not keep[r]:
                    continue
                ref, rest = boxes[r], boxes[r + 1:]
                inter = _intersect(ref[0], ref[2], rest[:, 0], rest[:, 2]) \
                    * _intersect(ref[1], ref[3], rest[:, 1], rest[:, 3])
                iou = inter / (areas[r] + areas[r + 1:] - inter)
                suppress = iou > thresh  # NaN (0 / 0 between empty boxes) never suppresses
                if not force_suppress and ids is not None:
                    suppress &= ids[r + 1:] == ids[r]
                keep[r + 1:] &= ~suppress
        survivors = order[keep]
        out[s, :len(survivors)] = rows[survivors]
    return out


def sigmoid(x):
    """MXNet's sigmoid in float32: 1 / (1 + expf(-x)). Every logit above about 17 gives exactly 1.0."""
    return (F32(1) / (F32(1) + expf(-np.asarray(x, dtype=F32)))).astype(F32)


def softmax(x):
    """MXNet's softmax over the last axis for float32: exp(x - max) in float, summed in double (its AType),
    each exp divided by the double sum and stored as float."""
    x = np.asarray(x, dtype=F32)
    e = expf(x - x.max(axis=-1, keepdims=True))
    total = np.zeros(x.shape[:-1], dtype=np.float64)
    for j in range(x.shape[-1]):  # in column order, as the kernel's loop
        total += e[..., j]
    return (e.astype(np.float64) / total[..., None]).astype(F32)


def rpn_proposals(objectness, deltas, height, width):
    """The 300 RoIs of A.6 from the RPN graph's outputs for one image.

    objectness (15, fh, fw) logits, deltas (60, fh, fw) with channel 4a + k (A.5); height, width of the
    network input. Returns (300, 4) float32, padded with (-1, -1, -1, -1) rows when fewer survive.
    """
    a, fh, fw = objectness.shape
    assert a == ANCHORS_PER_CELL and deltas.shape == (4 * a, fh, fw), (objectness.shape, deltas.shape)
    scores = sigmoid(np.asarray(objectness, dtype=F32).transpose(1, 2, 0).reshape(-1))
    d = np.asarray(deltas, dtype=F32).reshape(a, 4, fh, fw).transpose(2, 3, 0, 1).reshape(-1, 4)
    boxes = clip_to_image(box_decode(d, grid_anchors(fh, fw), RPN_STDS), width, height)
    # Min size with the +1 convention; rejects stay in place with score -1 and box -1 (A.6 step 3).
    one = F32(1)
    invalid = (boxes[:, 2] - boxes[:, 0] + one < F32(RPN_MIN_SIZE)) | (boxes[:, 3] - boxes[:, 1] + one < F32(RPN_MIN_SIZE))
    scores = np.where(invalid, F32(-1), scores)
    boxes = np.where(invalid[:, None], F32(-1), boxes)
    rows = np.concatenate([scores[:, None], boxes], axis=1)[None]
    nms = box_nms(rows, RPN_NMS_THRESH, valid_thresh=0, topk=RPN_PRE_NMS, coord_start=1, score_index=0,
                  id_index=-1, force_suppress=True)
    return nms[0, :RPN_POST_NMS, 1:].copy()  # A.6 step 5: first 300 rows, boxes only


def head_rows(cls_logits, box_deltas, rois):
    """The network's (num_classes * R, 6) output rows [id, score, x1, y1, x2, y2] of A.9-A.11.

    cls_logits (R, 21) head logits, background column 0; box_deltas (R, 80), columns 4c..4c+3 for class c;
    rois (R, 4) the proposals the head saw (padding rows included). Class-major: row c * R + k is the k-th
    survivor of class c, by descending score; empty rows are all -1.
    """
    r = len(rois)
    num_classes = cls_logits.shape[1] - 1
    assert box_deltas.shape == (r, 4 * num_classes), box_deltas.shape
    scores = softmax(cls_logits)[:, 1:]
    mask = scores > F32(CLASS_THRESH)
    ids = np.where(mask, np.arange(num_classes, dtype=F32)[None], F32(-1))
    scores = np.where(mask, scores, F32(0))
    deltas = np.asarray(box_deltas, dtype=F32).reshape(r, num_classes, 4).transpose(1, 0, 2)
    boxes = box_decode(deltas, np.asarray(rois, dtype=F32)[None], HEAD_STDS)  # (classes, R, 4), A.10
    rows = np.concatenate([ids.T[..., None], scores.T[..., None], boxes], axis=-1)
    nms = box_nms(rows, NMS_THRESH, valid_thresh=NMS_VALID_THRESH, topk=NMS_TOPK, coord_start=2,
                  score_index=1, id_index=0, force_suppress=False)
    return nms.reshape(-1, 6)  # A.11 step 4: (classes, R, 6) -> (classes * R, 6)


def to_original(rows, width, height, original_height):
    """A.13: clip the boxes to the network input, then scale all four by original_height / height (one
    float32 factor, the eval transform's im_scale). Rows with id < 0 stay in place (their box becomes 0)."""
    out = np.array(rows, dtype=F32)
    im_scale = F32(original_height / height)
    out[:, 2:6] = clip_to_image(out[:, 2:6], width, height) * im_scale
    return out
