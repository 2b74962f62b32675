"""How the converters find the ONNX Runtime jar for their self-check (selfcheck.find_ort_jar).

The build passes the jar Maven resolved; nothing is looked up in a home folder, so a build with another
local repository or with -Pgpu checks the graphs with its own jar.
"""
import os
import re
import sys
import unittest
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from visionstream_bundle import selfcheck  # noqa: E402

WORK = HERE / "target" / "python-tests" / "selfcheck-lookup"


class FindOrtJarTest(unittest.TestCase):

    def setUp(self):
        WORK.mkdir(parents=True, exist_ok=True)
        self.jar = WORK / "onnxruntime-test.jar"
        self.jar.write_bytes(b"PK")
        self.other = WORK / "onnxruntime-env.jar"
        self.other.write_bytes(b"PK")

    def find(self, explicit=None, env=None):
        environ = {k: v for k, v in os.environ.items() if k != "VISIONSTREAM_ORT_JAR"}
        if env is not None:
            environ["VISIONSTREAM_ORT_JAR"] = env
        with mock.patch.dict(os.environ, environ, clear=True):
            return selfcheck.find_ort_jar(explicit)

    def test_the_argument_wins_over_the_environment(self):
        self.assertEqual(str(self.jar), self.find(str(self.jar), env=str(self.other)))

    def test_the_environment_is_used_without_an_argument(self):
        self.assertEqual(str(self.other), self.find(None, env=str(self.other)))

    def test_nothing_given_fails_without_guessing_a_folder(self):
        # A jar where the old lookup guessed (~/.m2/repository) must not be picked up.
        guessed = WORK / f".m2/repository/com/microsoft/onnxruntime/onnxruntime/{selfcheck.ORT_VERSION}"
        guessed.mkdir(parents=True, exist_ok=True)
        (guessed / f"onnxruntime-{selfcheck.ORT_VERSION}.jar").write_bytes(b"PK")
        with mock.patch.object(Path, "home", return_value=WORK):
            with self.assertRaises(SystemExit) as e:
                self.find(None)
        self.assertIn("--ort-jar", str(e.exception.code))
        self.assertIn("VISIONSTREAM_ORT_JAR", str(e.exception.code))

    def test_an_unresolved_maven_expression_is_named(self):
        literal = "${com.microsoft.onnxruntime:${onnxruntime.artifact}:jar}"
        with self.assertRaises(SystemExit) as e:
            self.find(literal, env=str(self.other))
        self.assertIn("unresolved Maven expression", str(e.exception.code))

    def test_a_missing_file_is_an_error_not_a_fall_through(self):
        missing = WORK / "no-such.jar"
        with self.assertRaises(SystemExit) as e:
            self.find(str(missing), env=str(self.other))
        self.assertIn(str(missing), str(e.exception.code))

    @unittest.skipUnless(os.environ.get("VISIONSTREAM_ORT_JAR"), "run by Maven, which passes the resolved jar")
    def test_maven_passes_the_resolved_onnxruntime_jar(self):
        jar = Path(selfcheck.find_ort_jar())
        self.assertTrue(jar.is_file(), jar)
        # onnxruntime-1.29.0.jar, or onnxruntime_gpu-1.29.0.jar with -Pgpu
        self.assertRegex(jar.name, r"^onnxruntime(_gpu)?-" + re.escape(selfcheck.ORT_VERSION) + r"\.jar$")


if __name__ == "__main__":
    unittest.main()
