"""The D2Go conversion from the shared TorchScript file: the bundle, its manifest and its self-check.

Run by the model-assets module's test phase (mvn verify) with /usr/bin/python3; the environment names the
weights, the bundle the build converted and the ONNX Runtime jar (see model-assets/pom.xml).
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from visionstream_bundle import d2go, manifest, selfcheck  # noqa: E402

WEIGHTS = Path(os.environ.get("VISIONSTREAM_D2GO_WEIGHTS", HERE.parent.parent / "shared/models/d2go-fbnetv3a-c4-coco/d2go.pt"))
BUNDLE = Path(os.environ.get("VISIONSTREAM_D2GO_BUNDLE", HERE / "target/bundles/d2go-fbnetv3a-c4-coco"))
SHARED = Path(os.environ.get("VISIONSTREAM_SHARED", HERE.parent.parent / "shared"))
WORK = HERE / "target" / "python-tests"


def fresh_dir(name):
    d = WORK / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


class ConverterTest(unittest.TestCase):

    def test_converts_the_shared_file_and_its_self_check_passes(self):
        out = WORK / "converted"
        proc = subprocess.run([sys.executable, str(HERE / "convert_d2go.py"), "--weights", str(WEIGHTS),
                               "--out", str(out), "--ort-jar", selfcheck.find_ort_jar(),
                               "--check-image", str(SHARED / "media/images/voc/000004.jpg")],
                              capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stdout + proc.stderr)
        self.assertIn("all graphs match the framework within tolerance", proc.stdout)
        for f in ("backbone.onnx", "rpn.onnx", "head.onnx", "model.json", "selfcheck/cases.tsv"):
            self.assertTrue((out / f).is_file(), f)
        self.assertFalse((WORK / "converted.partial").exists(), "the work folder is renamed into place")

    def test_if_stale_keeps_an_up_to_date_bundle(self):
        proc = subprocess.run([sys.executable, str(HERE / "convert_d2go.py"), "--weights", str(WEIGHTS),
                               "--out", str(BUNDLE), "--if-stale"], capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertIn("up to date", proc.stdout)


class BundleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.manifest = manifest.read(BUNDLE)
        cls.model = d2go.load(WEIGHTS)
        cls.conventions = d2go.conventions(cls.model)

    def test_manifest_names_the_source_file_by_checksum(self):
        self.assertEqual(manifest.sha256(WEIGHTS), self.manifest["model"]["source"]["sha256"])

    def test_manifest_constants_are_the_models_own(self):
        m, c = self.manifest, self.conventions
        self.assertEqual(c["mean"], m["preprocess"]["mean"])
        self.assertEqual(c["short_side"], m["preprocess"]["resize"]["shortSide"])
        self.assertEqual(c["stride"], m["anchors"]["stride"])
        self.assertEqual(c["rpn"]["pre"], m["rpn"]["preNmsTopK"])
        self.assertEqual(c["rpn"]["post"], m["rpn"]["postNmsTopK"])
        self.assertEqual(c["head"]["weights"], m["head"]["boxCoder"]["weights"])
        self.assertEqual(c["roi_align"]["scale"], m["head"]["roiAlign"]["spatialScale"])
        # The manifest's anchors regenerate the model's own cell-anchor buffer.
        cell = [[-np.sqrt(s * s / r) / 2, -r * np.sqrt(s * s / r) / 2, np.sqrt(s * s / r) / 2, r * np.sqrt(s * s / r) / 2]
                for s in m["anchors"]["sizes"] for r in m["anchors"]["aspectRatios"]]
        np.testing.assert_allclose(np.array(cell), c["cell_anchors"], atol=1e-3)

    def test_classes_map_to_coco_ids(self):
        by_name = {c["name"]: c["id"] for c in self.manifest["classes"]}
        self.assertEqual(80, len(by_name))
        self.assertEqual({"person": 1, "bicycle": 2, "car": 3, "motorcycle": 4, "bus": 6},
                         {k: by_name[k] for k in ("person", "bicycle", "car", "motorcycle", "bus")})

    def test_self_check_passes_on_the_built_bundle(self):
        ok, table = selfcheck.run_check(BUNDLE, selfcheck.find_ort_jar(), WORK / "native-tmp")
        self.assertTrue(ok, table)

    def test_self_check_fails_when_a_graph_disagrees(self):
        broken = fresh_dir("broken-bundle")
        shutil.copytree(BUNDLE, broken, dirs_exist_ok=True)
        # The same RPN graph against slightly different expected logits: a graph off by 5 steps must fail.
        target = next(broken.glob("selfcheck/rpn.real-image.out.objectness.f32"))
        values = np.fromfile(target, "<f4")
        (values + 5 * selfcheck.quantisation_step(values)).astype("<f4").tofile(target)
        ok, table = selfcheck.run_check(broken, selfcheck.find_ort_jar(), WORK / "native-tmp")
        self.assertFalse(ok, table)
        self.assertIn("FAIL", table)


class ManifestValidationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.good = manifest.read(BUNDLE)

    def assert_rejected(self, change, field):
        m = copy.deepcopy(self.good)
        change(m)
        with self.assertRaises(ValueError) as e:
            manifest.validate(m)
        self.assertIn(field, str(e.exception))

    def test_a_missing_field_is_named(self):
        self.assert_rejected(lambda m: m["rpn"].pop("nmsThreshold"), "rpn")

    def test_a_bad_value_is_named(self):
        self.assert_rejected(lambda m: m["preprocess"].update(colorOrder="YUV"), "preprocess.colorOrder")

    def test_cross_field_rules(self):
        # Each rule of schema/model.rules.json, the file the Java ManifestReader checks too.
        self.assert_rejected(lambda m: m["rpn"].update(postNmsTopK=5000), "rpn.postNmsTopK must not exceed")
        self.assert_rejected(lambda m: m["head"].update(backgroundIndex=99), "head.backgroundIndex must be in")
        self.assert_rejected(lambda m: m["classes"][3].update(index=7), "(entry 3 has 7)")
        self.assert_rejected(lambda m: m["classes"][3].update(name=m["classes"][2]["name"]), "classes[].name must be unique")
        self.assert_rejected(lambda m: m["preprocess"]["resize"].update(maxSize=100), "maxSize must be 0 (no limit) or at least")


class ReferenceTest(unittest.TestCase):

    def test_reference_finds_the_cars_in_the_street_photo(self):
        image = SHARED / "media/images/voc/000004.jpg"
        proc = subprocess.run([sys.executable, str(HERE / "reference_d2go.py"), "--weights", str(WEIGHTS),
                               "--threshold", "0.5", str(image)], capture_output=True, text=True)
        self.assertEqual(0, proc.returncode, proc.stderr)
        out = json.loads(proc.stdout)
        self.assertEqual((500, 406), (out["width"], out["height"]))
        cars = [d for d in out["detections"] if d["label"] == "car"]
        self.assertGreaterEqual(len(cars), 3, out)
        for d in cars:
            x1, y1, x2, y2 = d["box"]
            self.assertTrue(0 <= x1 < x2 <= 500 and 0 <= y1 < y2 <= 406, d)


if __name__ == "__main__":
    unittest.main()
