"""The gluon-cv faster_rcnn_resnet50_v1b_voc export: the reduced random-init bundle, the .params mapping,
RoIAlign semantics and the converter's failure modes.

Run by the model-assets module's test phase (mvn verify) with /usr/bin/python3; the environment names the
reduced bundle the build converted and the ONNX Runtime jar (see model-assets/pom.xml).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torchvision

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "tests"))  # mxnet_writer, also when run outside discover -s tests

from mxnet_writer import write_params  # noqa: E402
from visionstream_bundle import flops, gluoncv, manifest, selfcheck  # noqa: E402
from visionstream_bundle.mxnet_params import read_params  # noqa: E402

BUNDLE = Path(os.environ.get("VISIONSTREAM_GLUONCV_REDUCED_BUNDLE",
                             HERE / "target/bundles/gluoncv-resnet50-c4-voc-reduced"))
SHARED = Path(os.environ.get("VISIONSTREAM_SHARED", HERE.parent.parent / "shared"))
FIXTURE = HERE.parent / "operators/src/test/resources/manifests/gluoncv-voc.json"
CONVERTER = HERE / "convert_gluoncv.py"
WORK = HERE / "target" / "python-tests" / "gluoncv"
SEED = 7  # the seed model-assets/pom.xml builds the reduced bundle with
CALIBRATION = SHARED / "media/images/voc/000002.jpg"  # the converter's default calibration image


def fresh_dir(name):
    d = WORK / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def convert(*args):
    return subprocess.run([sys.executable, str(CONVERTER), *map(str, args)], capture_output=True, text=True)


def inferred_output_shapes(graph, input_shapes):
    """ONNX shape inference of a graph's outputs with its dynamic inputs fixed to the given shapes."""
    model = onnx.load(graph)
    for i in model.graph.input:
        for d, v in zip(i.type.tensor_type.shape.dim, input_shapes[i.name]):
            d.Clear()
            d.dim_value = v
    for o in model.graph.output:
        o.type.tensor_type.ClearField("shape")
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    return {o.name: [d.dim_value for d in o.type.tensor_type.shape.dim] for o in model.graph.output}


class ReducedBundleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.manifest = manifest.read(BUNDLE)

    def test_manifest_states_the_conventions_of_the_java_fixture(self):
        # The operators' fixture was written from the spec independently of the converter.
        fixture = json.loads(FIXTURE.read_text())
        for section in ("preprocess", "anchors", "rpn", "head", "output", "classes"):
            self.assertEqual(fixture[section], self.manifest[section], section)

    def test_manifest_names_the_weights_by_checksum(self):
        src = self.manifest["model"]["source"]
        self.assertEqual(gluoncv.WEIGHTS_FILE, src["file"])
        self.assertEqual(manifest.sha256(BUNDLE / gluoncv.WEIGHTS_FILE), src["sha256"])
        self.assertIn("RANDOM", self.manifest["model"]["description"])

    def test_graph_output_shapes_for_a_600x800_input(self):
        # Spec A.16 with every width / 8: features 1024 -> 128 channels at ceil(600/16) x ceil(800/16).
        c = 1024 // gluoncv.REDUCED_DIVISOR
        self.assertEqual({"features": [1, c, 38, 50]},
                         inferred_output_shapes(BUNDLE / "backbone.onnx", {"image": [1, 3, 600, 800]}))
        self.assertEqual({"objectness": [1, 15, 38, 50], "deltas": [1, 60, 38, 50]},
                         inferred_output_shapes(BUNDLE / "rpn.onnx", {"features": [1, c, 38, 50]}))
        self.assertEqual({"scores": [300, 21], "deltas": [300, 80]},
                         inferred_output_shapes(BUNDLE / "head.onnx",
                                                {"features": [1, c, 38, 50], "rois": [300, 5]}))

    def test_axes_n_h_w_and_r_are_dynamic(self):
        dynamic = {"backbone.onnx": {"image": (0, 2, 3), "features": (0, 2, 3)},
                   "rpn.onnx": {"features": (0, 2, 3), "objectness": (0, 2, 3), "deltas": (0, 2, 3)},
                   "head.onnx": {"features": (0, 2, 3), "rois": (0,), "scores": (0,), "deltas": (0,)}}
        for graph, tensors in dynamic.items():
            model = onnx.load(BUNDLE / graph)
            dims = {v.name: v.type.tensor_type.shape.dim for v in [*model.graph.input, *model.graph.output]}
            for tensor, axes in tensors.items():
                fixed = [a for a, d in enumerate(dims[tensor]) if not d.dim_param]
                self.assertEqual([a for a in range(len(dims[tensor])) if a not in axes], fixed, f"{graph} {tensor}")

    def test_head_roialign_is_the_legacy_non_aligned_variant(self):
        node = next(n for n in onnx.load(BUNDLE / "head.onnx").graph.node if n.op_type == "RoiAlign")
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        self.assertEqual(b"output_half_pixel", attrs["coordinate_transformation_mode"])
        self.assertEqual((14, 14, 2), (attrs["output_height"], attrs["output_width"], attrs["sampling_ratio"]))
        self.assertAlmostEqual(1 / 16, attrs["spatial_scale"])

    def test_weights_pt_is_the_seeded_model(self):
        rebuilt = gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION).state_dict()
        loaded = gluoncv.load_model(BUNDLE).state_dict()
        self.assertEqual(rebuilt.keys(), loaded.keys())
        for k in rebuilt:
            self.assertTrue(torch.equal(rebuilt[k], loaded[k]), k)

    def test_self_check_passes_on_the_built_bundle(self):
        ok, table = selfcheck.run_check(BUNDLE, selfcheck.find_ort_jar(), WORK / "native-tmp")
        self.assertTrue(ok, table)

    def test_self_check_fails_with_an_aligned_roialign(self):
        # half_pixel (ONNX's opset-16 default, torchvision's own symbolic) shifts every sample by half a cell.
        broken = fresh_dir("aligned-roialign")
        shutil.copytree(BUNDLE, broken, dirs_exist_ok=True)
        model = onnx.load(broken / "head.onnx")
        node = next(n for n in model.graph.node if n.op_type == "RoiAlign")
        next(a for a in node.attribute if a.name == "coordinate_transformation_mode").s = b"half_pixel"
        onnx.save(model, broken / "head.onnx")
        ok, table = selfcheck.run_check(broken, selfcheck.find_ort_jar(), WORK / "native-tmp")
        self.assertFalse(ok, table)
        self.assertEqual(4, table.count("FAIL"), table)  # head scores and deltas, both cases


class RandomInitTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.model = gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION)

    def test_scores_are_not_uniform_and_boxes_move_with_a_trained_models_magnitudes(self):
        # On a real image other than the calibration image, with RoIs spread over it: magnitudes of a trained
        # detector, neither uniform nor saturated (huge outputs make float32 rounding alone break parity).
        x = gluoncv.network_input(SHARED / "media/images/street-bicycle-truck-dog.png")
        h, w = x.shape[-2:]
        g = torch.Generator().manual_seed(1)
        rois = gluoncv._calibration_rois(g, 100, h, w)
        with torch.no_grad():
            f = self.model.features(x)
            obj, deltas = self.model.rpn(f)
            scores, box_deltas = self.model.head(f, rois)
        self.assertTrue(0.3 < f.std().item() < 3)  # O(1) after 13 residual blocks
        self.assertLess(f.abs().max().item(), 50)
        self.assertTrue(1 < obj.std().item() < 4)  # sigmoid scores spread over (0, 1)
        self.assertLess(obj.abs().max().item(), 20)  # float32 sigmoid saturates at 1 from 17
        self.assertTrue(0.1 < deltas.std().item() < 1)  # anchors move and resize by 10-100%
        top = scores.softmax(1).max(1).values
        self.assertTrue(2 / 21 < top.median().item() < 0.95, top.median())  # neither uniform nor saturated
        self.assertLess(scores.abs().max().item(), 30)
        self.assertTrue(0.3 < box_deltas.abs().mean().item() < 3)  # x 0.1 / 0.2: boxes move by several %

    def test_the_same_seed_gives_the_same_weights_and_another_seed_others(self):
        again = gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION).state_dict()
        other = gluoncv.build_model(seed=SEED + 1, reduced=True, calibration_image=CALIBRATION).state_dict()
        mine = self.model.state_dict()
        self.assertTrue(all(torch.equal(mine[k], again[k]) for k in mine))
        self.assertFalse(torch.equal(mine["rpn.score.weight"], other["rpn.score.weight"]))

    def test_features_are_ceil_of_a_sixteenth(self):
        # MXNet/PyTorch conv arithmetic floor((n + 2p - k) / s) + 1 through 4 stride-2 layers (spec A.3).
        with torch.no_grad():
            for h, w in ((600, 800), (601, 799), (17, 33), (562, 1000)):
                f = self.model.features(torch.zeros(1, 3, h, w))
                self.assertEqual((math.ceil(h / 16), math.ceil(w / 16)), tuple(f.shape[-2:]), (h, w))


class GluonNamesTest(unittest.TestCase):
    """Names and shapes as gluon-cv 0.7 saves them (resnetv1b.py, rpn/rpn.py, rcnn.py, predefined_models.py)."""

    @classmethod
    def setUpClass(cls):
        cls.full = gluoncv.FasterRCNN()
        cls.reduced = gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION)

    def test_full_model_names_and_shapes(self):
        shapes = {g: tuple(a.shape) for g, a in gluoncv.to_gluon_params(self.full).items()}
        # conv1 + bn1, 16 bottlenecks of 3 convs + 3 BNs, 4 projections, the RPN's 3 convs, 2 dense layers.
        self.assertEqual(5 + 16 * 15 + 4 * 5 + 6 + 4, len(shapes))
        expected = {
            "features.0.weight": (64, 3, 7, 7), "features.1.gamma": (64,), "features.1.running_var": (64,),
            "features.4.0.conv1.weight": (64, 64, 1, 1), "features.4.0.downsample.0.weight": (256, 64, 1, 1),
            "features.4.0.downsample.1.beta": (256,), "features.5.0.conv2.weight": (128, 128, 3, 3),
            "features.5.0.downsample.0.weight": (512, 256, 1, 1), "features.6.5.bn3.running_mean": (1024,),
            "top_features.0.0.conv1.weight": (512, 1024, 1, 1), "top_features.0.0.downsample.0.weight": (2048, 1024, 1, 1),
            "top_features.0.2.conv3.weight": (2048, 512, 1, 1), "top_features.0.2.bn3.gamma": (2048,),
            "rpn.conv1.0.weight": (1024, 1024, 3, 3), "rpn.conv1.0.bias": (1024,),
            "rpn.score.weight": (15, 1024, 1, 1), "rpn.score.bias": (15,),
            "rpn.loc.weight": (60, 1024, 1, 1), "rpn.loc.bias": (60,),
            "class_predictor.weight": (21, 2048), "class_predictor.bias": (21,),
            "box_predictor.weight": (80, 2048), "box_predictor.bias": (80,),
        }
        self.assertEqual(expected, {k: shapes[k] for k in expected})
        self.assertFalse([k for k in shapes if "features.6.6." in k or "top_features.0.3." in k])

    def test_anchor_constant_is_the_spec_table(self):
        cell = gluoncv.gluon_cell_anchors()
        # Spec A.4 rows 0, 7 and 14 (ratio 0.5 size 32, ratio 1 size 128, ratio 2 size 512).
        np.testing.assert_array_equal([[-15, -4, 30, 19], [-56, -56, 71, 71], [-168, -344, 183, 359]], cell[[0, 7, 14]])
        grid = gluoncv.gluon_anchor_grid()
        self.assertEqual((1, 1, 128, 128, 60), grid.shape)
        np.testing.assert_array_equal(cell[3] + [16 * 5, 16 * 2, 16 * 5, 16 * 2], grid[0, 0, 2, 5, 12:16])

    def test_a_params_file_round_trips(self):
        params = dict(gluoncv.to_gluon_params(self.reduced))
        params[gluoncv.ANCHORS] = gluoncv.gluon_anchor_grid()
        for name in gluoncv.TRAINING_ONLY:
            params[name] = np.array([0.1, 0.1, 0.2, 0.2] if name.endswith("stds") else [0.0] * 4, np.float32)
        path = write_params(fresh_dir("round-trip") / "model.params", params)
        loaded = gluoncv.from_gluon_params(read_params(path))
        mine, theirs = self.reduced.state_dict(), loaded.state_dict()
        for k, v in mine.items():
            if not k.endswith("num_batches_tracked"):
                self.assertTrue(torch.equal(v, theirs[k]), k)

    def assert_mapping_error(self, change, *fragments):
        params = dict(gluoncv.to_gluon_params(self.reduced))
        change(params)
        with self.assertRaises(gluoncv.MappingError) as e:
            gluoncv.from_gluon_params(params)
        for f in fragments:
            self.assertIn(f, str(e.exception))

    def test_a_missing_name_is_named(self):
        self.assert_mapping_error(lambda p: p.pop("features.5.2.bn2.running_var"), "1 missing",
                                  "features.5.2.bn2.running_var")

    def test_an_unexpected_name_is_named(self):
        self.assert_mapping_error(lambda p: p.update({"rpn.conv2.weight": np.zeros(3, np.float32)}), "1 unexpected",
                                  "rpn.conv2.weight")

    def test_a_mis_shaped_parameter_is_named(self):
        self.assert_mapping_error(lambda p: p.update({"rpn.loc.weight": p["rpn.loc.weight"][:56]}),
                                  "rpn.loc.weight", "(56, 128, 1, 1)", "(60, 128, 1, 1)")

    def test_a_transposed_dense_weight_is_refused(self):
        self.assert_mapping_error(lambda p: p.update({"box_predictor.weight": p["box_predictor.weight"].T.copy()}),
                                  "box_predictor.weight", "(256, 80)")

    def test_a_float64_parameter_is_refused(self):
        self.assert_mapping_error(lambda p: p.update({"rpn.score.bias": p["rpn.score.bias"].astype(np.float64)}),
                                  "rpn.score.bias", "float64")

    def test_anchors_other_than_the_manifests_are_refused(self):
        grid = gluoncv.gluon_anchor_grid()
        grid[0, 0, 0, 0, 0] += 1
        self.assert_mapping_error(lambda p: p.update({gluoncv.ANCHORS: grid}), gluoncv.ANCHORS)

    def test_legacy_prefixed_names_are_refused_with_the_fix(self):
        self.assert_mapping_error(lambda p: [p.clear(), p.update({"fasterrcnn0_dense0_weight": np.zeros(1)})],
                                  "legacy", "save_parameters")


def mxnet_roi_align(features, rois, pooled=(14, 14), scale=1 / 16, ratio=2):
    """MXNet 1.6 contrib.ROIAlign as spec A.7 states it, element by element, for the test."""
    _, c, height, width = features.shape
    out = np.zeros((len(rois), c, *pooled))

    def bilinear(img, y, x):
        if y < -1.0 or y > height or x < -1.0 or x > width:
            return np.zeros(c)
        y, x = max(y, 0.0), max(x, 0.0)
        y_lo, x_lo = int(y), int(x)
        if y_lo >= height - 1:
            y_lo = y_hi = height - 1
            y = float(y_lo)
        else:
            y_hi = y_lo + 1
        if x_lo >= width - 1:
            x_lo = x_hi = width - 1
            x = float(x_lo)
        else:
            x_hi = x_lo + 1
        ly, lx = y - y_lo, x - x_lo
        return ((1 - ly) * (1 - lx) * img[:, y_lo, x_lo] + (1 - ly) * lx * img[:, y_lo, x_hi]
                + ly * (1 - lx) * img[:, y_hi, x_lo] + ly * lx * img[:, y_hi, x_hi])

    for r, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy = x1 * scale, y1 * scale
        rw, rh = max(x2 * scale - sx, 1.0), max(y2 * scale - sy, 1.0)
        bw, bh = rw / pooled[1], rh / pooled[0]
        img = features[int(b)]
        for ph in range(pooled[0]):
            for pw in range(pooled[1]):
                acc = np.zeros(c)
                for iy in range(ratio):
                    for ix in range(ratio):
                        acc += bilinear(img, sy + ph * bh + (iy + 0.5) * bh / ratio, sx + pw * bw + (ix + 0.5) * bw / ratio)
                out[r, :, ph, pw] = acc / (ratio * ratio)
    return out


class RoiAlignTest(unittest.TestCase):

    def test_torchvision_non_aligned_is_mxnets_roialign(self):
        rng = np.random.default_rng(3)
        features = rng.standard_normal((2, 3, 9, 12))
        rois = np.array([[0, 10, 20, 100, 120],   # ordinary
                         [1, 0, 0, 192, 144],      # the whole map
                         [0, 3, 3, 9, 10],         # smaller than a cell: width and height forced to 1
                         [1, -1, -1, -1, -1],      # gluon-cv's padding row
                         [0, 150, 100, 230, 180],  # samples past the border: zero beyond -1 / size
                         [1, 5.5, 7.25, 60.75, 33.0]])
        expected = mxnet_roi_align(features, rois)
        actual = torchvision.ops.roi_align(torch.from_numpy(features), torch.from_numpy(rois.astype(np.float64)),
                                           gluoncv.ROI_SIZE, 1 / gluoncv.STRIDE, gluoncv.SAMPLING_RATIO, aligned=False)
        np.testing.assert_allclose(actual.numpy(), expected, rtol=0, atol=1e-12)


class ConverterTest(unittest.TestCase):

    def test_if_stale_keeps_an_up_to_date_bundle(self):
        proc = convert("--random-init", "--seed", SEED, "--reduced", "--out", BUNDLE, "--if-stale")
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn("up to date", proc.stdout)

    def test_converts_a_params_file(self):
        # The seeded reduced model written as gluon-cv would save it, with its extra constants.
        model = gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION)
        params = dict(gluoncv.to_gluon_params(model))
        params[gluoncv.ANCHORS] = gluoncv.gluon_anchor_grid()
        params.update({n: np.zeros(4, np.float32) for n in gluoncv.TRAINING_ONLY})
        work = fresh_dir("from-params")
        file = write_params(work / "faster_rcnn_reduced.params", params)
        out = work / "bundle"
        proc = convert("--params", file, "--out", out, "--ort-jar", selfcheck.find_ort_jar(),
                       "--check-image", SHARED / "media/images/voc/000004.jpg")
        self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
        self.assertIn("all graphs match the framework within tolerance", proc.stdout)
        self.assertFalse((work / "bundle.partial").exists(), "the work folder is renamed into place")
        m = manifest.read(out)
        self.assertEqual(manifest.sha256(file), m["model"]["source"]["sha256"])
        self.assertEqual("faster_rcnn_reduced.params", m["model"]["source"]["file"])
        self.assertNotIn("url", m["model"]["source"])  # not the model zoo's file
        loaded = gluoncv.load_model(out).state_dict()
        for k, v in model.state_dict().items():
            if not k.endswith("num_batches_tracked"):
                self.assertTrue(torch.equal(v, loaded[k]), k)

    def test_a_params_file_with_a_wrong_name_fails_and_writes_nothing(self):
        params = dict(gluoncv.to_gluon_params(
            gluoncv.build_model(seed=SEED, reduced=True, calibration_image=CALIBRATION)))
        params["rpn.cls.weight"] = params.pop("rpn.score.weight")
        work = fresh_dir("wrong-name")
        proc = convert("--params", write_params(work / "bad.params", params), "--out", work / "bundle")
        self.assertNotEqual(0, proc.returncode)
        self.assertIn("missing: rpn.score.weight", proc.stderr)
        self.assertIn("unexpected: rpn.cls.weight", proc.stderr)
        self.assertFalse((work / "bundle").exists())
        self.assertFalse((work / "bundle.partial").exists())

    def test_a_file_that_is_not_params_fails_clearly(self):
        work = fresh_dir("not-params")
        (work / "x.params").write_bytes(b"not an ndarray list at all")
        proc = convert("--params", work / "x.params", "--out", work / "bundle")
        self.assertNotEqual(0, proc.returncode)
        self.assertIn("not an MXNet .params file", proc.stderr)

    def test_reduced_needs_random_init(self):
        proc = convert("--params", "x.params", "--reduced", "--out", WORK / "unused")
        self.assertEqual(2, proc.returncode)
        self.assertIn("--reduced applies to --random-init only", proc.stderr)


class FlopsTest(unittest.TestCase):

    def test_counts_conv_gemm_and_matmul_multiply_adds(self):
        # x [1,4,10,12] -> grouped 3x3 conv (2 groups, 6 out, stride 2, pad 1) -> [1,6,5,6]; a 1x1 conv with
        # bias -> [1,8,5,6]; flatten -> Gemm (transB) to 7 -> MatMul by [7,3]; a Relu is not counted.
        h = onnx.helper
        init = [numpy_init("w1", (6, 2, 3, 3)), numpy_init("w2", (8, 6, 1, 1)), numpy_init("b2", (8,)),
                numpy_init("w3", (7, 240)), numpy_init("w4", (7, 3))]
        nodes = [h.make_node("Conv", ["x", "w1"], ["c1"], group=2, strides=[2, 2], pads=[1, 1, 1, 1]),
                 h.make_node("Relu", ["c1"], ["r1"]),
                 h.make_node("Conv", ["r1", "w2", "b2"], ["c2"]),
                 h.make_node("Flatten", ["c2"], ["f"]),
                 h.make_node("Gemm", ["f", "w3"], ["g"], transB=1),
                 h.make_node("MatMul", ["g", "w4"], ["y"])]
        graph = h.make_graph(nodes, "g", [h.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["n", 4, "h", "w"])],
                             [h.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)], init)
        model = h.make_model(graph, opset_imports=[h.make_opsetid("", 16)])
        expected = 6 * 5 * 6 * (2 * 3 * 3) + 8 * 5 * 6 * 6 + 7 * 240 + 3 * 7
        self.assertEqual(expected, flops.count_macs(model, {"x": [1, 4, 10, 12]}))

    def test_the_reduced_bundle_states_its_flops_at_600x800(self):
        doc = json.loads((BUNDLE / flops.FILE).read_text())
        self.assertEqual({"height": 600, "width": 800, "rois": 300}, doc["input"])
        # The RPN's 3x3 conv (128 -> 128 channels at the reduced width) and its two 1x1 convs, over 38 x 50 cells.
        c = 1024 // gluoncv.REDUCED_DIVISOR
        self.assertEqual(2 * 38 * 50 * (c * c * 9 + c * 15 + c * 60), doc["graphs"]["rpn.onnx"])
        # The head, per RoI: layer4 on the 14 x 14 pooled features (v1b: block 0's stride on its 3x3 conv and
        # on the projection, so only its first 1x1 conv runs at 14 x 14), then the two dense layers.
        p = 512 // gluoncv.REDUCED_DIVISOR
        block0 = c * p * 196 + p * p * 9 * 49 + p * 4 * p * 49 + c * 4 * p * 49
        block = 4 * p * p * 49 + p * p * 9 * 49 + p * 4 * p * 49
        self.assertEqual(2 * 300 * (block0 + 2 * block + 4 * p * (21 + 80)), doc["graphs"]["head.onnx"])


def numpy_init(name, shape):
    return numpy_helper.from_array(np.ones(shape, np.float32), name)
