"""The gluon-cv reference's steps on hand-computed cases (spec part A), independent of any model."""
import sys
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from visionstream_bundle import reference_gluoncv_post as post  # noqa: E402
from visionstream_bundle.opencv_resize import resize_linear  # noqa: E402
from visionstream_bundle.reference_gluoncv_pre import network_input, resize_size  # noqa: E402

F32 = np.float32


def nms(rows, thresh, **kw):
    """box_nms on one slice of [score, x1, y1, x2, y2] rows, class-agnostic unless told otherwise."""
    args = dict(valid_thresh=0, topk=-1, coord_start=1, score_index=0, id_index=-1, force_suppress=True)
    args.update(kw)
    return post.box_nms(np.array(rows, dtype=F32)[None], thresh, **args)[0]


class AnchorTest(unittest.TestCase):

    def test_cell_anchors_are_the_spec_table(self):
        # A.4 table: ratio-major, +1 widths, centre (7.5, 7.5).
        expected = [[-15, -4, 30, 19], [-38, -16, 53, 31], [-84, -40, 99, 55], [-176, -88, 191, 103],
                    [-360, -184, 375, 199], [-8, -8, 23, 23], [-24, -24, 39, 39], [-56, -56, 71, 71],
                    [-120, -120, 135, 135], [-248, -248, 263, 263], [-3, -14, 18, 29], [-14, -36, 29, 51],
                    [-36, -80, 51, 95], [-80, -168, 95, 183], [-168, -344, 183, 359]]
        np.testing.assert_array_equal(post.base_anchors(), expected)

    def test_grid_order_is_row_then_column_then_anchor(self):
        anchors = post.grid_anchors(2, 3)
        self.assertEqual((2 * 3 * 15, 4), anchors.shape)
        n = (1 * 3 + 2) * 15 + 7  # row 1, column 2, anchor 7
        np.testing.assert_array_equal(anchors[n], post.base_anchors()[7] + [32, 16, 32, 16])


class DecodeTest(unittest.TestCase):

    def test_widths_have_no_plus_one_and_stds_multiply(self):
        anchor = [[10, 20, 30, 60]]  # w 20, h 40, centre (20, 40)
        box = post.box_decode([[1, -0.5, np.log(2) / 0.2, 0]], anchor, post.HEAD_STDS)[0]
        # cx = 0.1 * 1 * 20 + 20 = 22, cy = 0.1 * -0.5 * 40 + 40 = 38, w = 2 * 20, h = 40
        np.testing.assert_allclose(box, [2, 18, 42, 58], rtol=0, atol=1e-5)

    def test_no_clamp_so_huge_deltas_overflow(self):
        box = post.box_decode([[0, 0, 1000, 0]], [[0, 0, 10, 10]], post.RPN_STDS)[0]
        self.assertEqual((-np.inf, np.inf), (box[0], box[2]))

    def test_a_padding_proposal_decodes_to_itself(self):
        # A.15 ghost rows: width and height 0, so every class box is (-1, -1, -1, -1).
        box = post.box_decode([[3, -2, 1, 4]], [[-1, -1, -1, -1]], post.HEAD_STDS)[0]
        np.testing.assert_array_equal(box, [-1, -1, -1, -1])


class ClipTest(unittest.TestCase):

    def test_bounds_are_width_and_height_not_minus_one(self):
        np.testing.assert_array_equal(post.clip_to_image([[-5, -1, 900, 700]], 800, 600), [[0, 0, 800, 600]])


class BoxNmsTest(unittest.TestCase):

    def test_equal_scores_keep_the_lower_row_first(self):
        out = nms([[0.5, 0, 0, 10, 10], [0.75, 50, 50, 60, 60], [0.5, 1, 0, 11, 10]], 0.5)
        # row 0 and row 2 tie at 0.5 and overlap with IoU 90/110: row 0 wins, row 2 is gone.
        np.testing.assert_array_equal(out, [[0.75, 50, 50, 60, 60], [0.5, 0, 0, 10, 10], [-1] * 5])

    def test_iou_equal_to_the_threshold_does_not_suppress(self):
        # areas 100 and 50, intersection 50: IoU exactly 0.5 (no +1 in areas or intersections).
        rows = [[0.75, 0, 0, 10, 10], [0.5, 0, 0, 10, 5]]
        np.testing.assert_array_equal(nms(rows, 0.5), rows)
        np.testing.assert_array_equal(nms(rows, 0.49)[1], [-1] * 5)

    def test_scores_must_exceed_the_valid_threshold(self):
        out = nms([[0.0, 0, 0, 10, 10], [-1, -1, -1, -1, -1], [0.25, 20, 20, 30, 30]], 0.5)
        np.testing.assert_array_equal(out, [[0.25, 20, 20, 30, 30], [-1] * 5, [-1] * 5])

    def test_only_the_first_topk_by_score_take_part(self):
        rows = [[0.125, 0, 0, 10, 10], [0.375, 20, 20, 30, 30], [0.25, 40, 40, 50, 50]]
        out = nms(rows, 0.5, topk=2)
        np.testing.assert_array_equal(out, [rows[1], rows[2], [-1] * 5])

    def test_a_suppressed_box_suppresses_nothing(self):
        # b overlaps a (IoU 0.6) and c (IoU 0.6); a and c do not overlap enough: a and c survive.
        a, b, c = [0.75, 0, 0, 10, 10], [0.5, 2.5, 0, 12.5, 10], [0.25, 5, 0, 15, 10]
        out = nms([a, b, c], 0.5)
        np.testing.assert_array_equal(out, [a, c, [-1] * 5])

    def test_a_box_with_a_negative_side_has_area_zero_and_empty_boxes_never_suppress(self):
        ghost = [-1, -1, -1, -1]
        inverted = [10, 10, 0, 0]
        out = nms([[0.9] + ghost, [0.8] + ghost, [0.7] + inverted, [0.6] + inverted], 0.0)
        self.assertTrue((out[:, 0] > 0).all(), out)  # IoU 0 / 0 is NaN, and NaN > 0 is false

    def test_per_class_batches_and_ids(self):
        # [id, score, box]: the same box in two classes survives in both; background rows (id -1) are invalid.
        rows = np.array([[[0, 0.9, 0, 0, 10, 10], [1, 0.8, 0, 0, 10, 10], [-1, 0.7, 0, 0, 10, 10]],
                         [[3, 0.5, 0, 0, 10, 10], [3, 0.6, 0, 0, 10, 10], [-1, -1, -1, -1, -1, -1]]], dtype=F32)
        out = post.box_nms(rows, 0.3, valid_thresh=0.0001, topk=400, coord_start=2, score_index=1, id_index=0,
                           force_suppress=False)
        np.testing.assert_array_equal(out[0], rows[0, :2].tolist() + [[-1] * 6])
        np.testing.assert_array_equal(out[1], [rows[1, 1], [-1] * 6, [-1] * 6])


class ProposalTest(unittest.TestCase):

    def test_min_size_uses_plus_one_and_rejects_keep_score_minus_one(self):
        # A 5x5 map with every delta 0 except two anchors of cell (2, 2), centre (39.5, 39.5): anchor 5
        # (32x32, decoded height 31) shrunk to height 15.01 (+1 = 16.01: kept) and anchor 6 (64x64, decoded
        # height 63) to 14.99 (+1 = 15.99: rejected although it scores highest). Without the +1 both would go.
        logits = np.full((15, 5, 5), -5, dtype=F32)
        logits[5, 2, 2], logits[6, 2, 2] = 3, 4
        deltas = np.zeros((60, 5, 5), dtype=F32)
        deltas[4 * 5 + 3, 2, 2] = np.log(15.01 / 31)
        deltas[4 * 6 + 3, 2, 2] = np.log(14.99 / 63)
        props = post.rpn_proposals(logits, deltas, 1000, 1000)
        self.assertEqual((300, 4), props.shape)
        np.testing.assert_allclose(props[0], [24, 39.5 - 15.01 / 2, 55, 39.5 + 15.01 / 2], rtol=0, atol=1e-4)
        heights = props[:, 3] - props[:, 1]
        self.assertFalse(np.any(np.abs(heights - 14.99) < 1e-3))

    def test_saturated_logits_tie_so_the_lower_anchor_wins(self):
        # Logits 20 (anchor 5, box (24, 24, 55, 55) of cell (2, 2)) and 30 (anchor 6, shrunk onto it and moved
        # half a pixel right: IoU 0.97) both score 1.0f, so box_nms keeps the lower anchor, whatever its
        # logit (A.6 step 4, A.12 step 2); ranked by logit, the moved box would come first.
        self.assertEqual(1.0, post.sigmoid(np.array([20, 30], dtype=F32)).min())
        logits = np.full((15, 5, 5), -5, dtype=F32)
        logits[5, 2, 2], logits[6, 2, 2] = 20, 30
        deltas = np.zeros((60, 5, 5), dtype=F32)
        deltas[4 * 6, 2, 2] = 0.5 / 63
        deltas[4 * 6 + 2, 2, 2] = deltas[4 * 6 + 3, 2, 2] = np.log(31 / 63)
        props = post.rpn_proposals(logits, deltas, 1000, 1000)
        np.testing.assert_array_equal(props[0], [24, 24, 55, 55])
        self.assertFalse(np.any(np.abs(props[1:, 0] - 24.5) < 1e-3), "the moved box is suppressed")

    def test_proposals_are_padded_to_300_with_minus_one(self):
        # 4x5 cells = 300 anchors with equal scores on a small image: NMS at 0.7 leaves fewer than 300.
        props = post.rpn_proposals(np.zeros((15, 4, 5), dtype=F32), np.zeros((60, 4, 5), dtype=F32), 64, 80)
        kept = int((props[:, 0] >= 0).sum())
        self.assertTrue(0 < kept < 300, kept)
        np.testing.assert_array_equal(props[kept:], -1)


class HeadRowsTest(unittest.TestCase):

    def test_class_major_rows_threshold_and_padding(self):
        rois = np.array([[0, 0, 100, 100], [0, 0, 100, 100], [-1, -1, -1, -1]], dtype=F32)
        logits = np.full((3, 21), -20, dtype=F32)
        logits[0, 1 + 6] = logits[1, 1 + 6] = 5  # two identical car proposals: NMS keeps the first
        logits[1, 1 + 14] = 4  # a person on the second
        logits[2, 0] = 5  # the padding row is background
        rows = post.head_rows(logits, np.zeros((3, 80), dtype=F32), rois)
        self.assertEqual((20 * 3, 6), rows.shape)
        car, person = rows[6 * 3:7 * 3], rows[14 * 3:15 * 3]
        np.testing.assert_array_equal(car[0, [0, 2, 3, 4, 5]], [6, 0, 0, 100, 100])
        np.testing.assert_array_equal(car[1:], -1)
        self.assertEqual(14, person[0, 0])
        self.assertEqual(2, int((rows[:, 0] >= 0).sum()))  # the car and the person; nothing else above 0.01

    def test_softmax_sums_in_double(self):
        p = post.softmax(np.array([[0, 1, 2]], dtype=F32))
        e = np.exp(np.array([-2, -1, 0], dtype=np.float64)).astype(F32).astype(np.float64)  # expf, widened
        np.testing.assert_array_equal(p, (e / e.sum()).astype(F32)[None])

    def test_to_original_clips_to_the_network_input_then_scales_by_height(self):
        rows = np.array([[6, 0.9, -3, 10, 760, 620], [-1, -1, -1, -1, -1, -1]], dtype=F32)
        out = post.to_original(rows, 739, 600, 406)  # 500x406 -> 739x600
        s = F32(406 / 600)
        np.testing.assert_array_equal(out[0, 2:], [0, F32(10) * s, F32(739) * s, F32(600) * s])
        np.testing.assert_array_equal(out[1, 2:], [0, 0, 0, 0])


class PreprocessTest(unittest.TestCase):

    def test_resize_rule_examples_of_the_spec(self):
        # A.2 (w, h): 375x500 -> 600x800 etc., written there as h x w.
        for (w, h), expected in {(500, 375): (800, 600), (375, 500): (600, 800), (500, 333): (901, 600),
                                 (1920, 1080): (1000, 562), (500, 500): (600, 600)}.items():
            self.assertEqual(expected, resize_size(w, h), (w, h))

    def test_opencv_linear_upscale_by_hand(self):
        # 2 -> 4 columns: fx = -0.25 (clamped to column 0), 0.25, 0.75, 1.25 (clamped to the last column);
        # alphas (2048, 0), (1536, 512), (512, 1536), (2048, 0); one row, so beta (2048, 0):
        # ((2048 * (255 * 512 >> 4)) >> 16 + 2) >> 2 = (255 + 2) >> 2 = 64, and 191 for the mirror.
        row = np.array([[[0], [255]]], dtype=np.uint8)
        np.testing.assert_array_equal(resize_linear(row, 4, 1)[0, :, 0], [0, 64, 191, 255])
        # 2 -> 3 rows: fy = 0.8333 at row -1 (both source rows clamp to row 0), 0.5, 0.1667 (both row 1);
        # the middle row is ((1024 * (255 * 2048 >> 4)) >> 16 + 2) >> 2 = (510 + 2) >> 2 = 128.
        col = np.array([[[0]], [[255]]], dtype=np.uint8)
        np.testing.assert_array_equal(resize_linear(col, 1, 3)[:, 0, 0], [0, 128, 255])

    def test_opencv_linear_is_within_one_level_of_float_bilinear(self):
        rng = np.random.default_rng(3)
        img = rng.integers(0, 256, (37, 53, 3), dtype=np.uint8)
        for w, h in [(80, 59), (29, 20), (53, 90)]:
            got = resize_linear(img, w, h).astype(np.float64)
            want = float_bilinear(img.astype(np.float64), w, h)
            self.assertLessEqual(np.abs(got - want).max(), 1.0, (w, h))

    def test_same_size_is_a_copy_and_the_input_is_normalised_rgb(self):
        img = np.zeros((600, 800, 3), dtype=np.uint8)
        img[..., 0] = 255
        x = network_input(img)
        self.assertEqual((3, 600, 800), x.shape)
        self.assertEqual(F32((F32(1) - F32(0.485)) / F32(0.229)), x[0, 0, 0])
        self.assertEqual(F32((F32(0) - F32(0.406)) / F32(0.225)), x[2, 0, 0])


def float_bilinear(img, w, h):
    """Half-pixel bilinear in double with edge clamping, a plain yardstick for the fixed-point kernel."""
    def axis(src, dst):
        f = np.clip((np.arange(dst) + 0.5) * src / dst - 0.5, 0, src - 1)
        lo = np.floor(f).astype(int)
        return lo, np.minimum(lo + 1, src - 1), f - lo
    y0, y1, fy = axis(img.shape[0], h)
    x0, x1, fx = axis(img.shape[1], w)
    top = img[y0][:, x0] * (1 - fx)[None, :, None] + img[y0][:, x1] * fx[None, :, None]
    bottom = img[y1][:, x0] * (1 - fx)[None, :, None] + img[y1][:, x1] * fx[None, :, None]
    return top * (1 - fy)[:, None, None] + bottom * fy[:, None, None]


if __name__ == "__main__":
    unittest.main()
