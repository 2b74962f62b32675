"""Self-check fixtures (framework inputs and outputs) and the ONNX Runtime comparison run through Java."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

TOOL = Path(__file__).resolve().parent.parent / "tools" / "OrtGraphCheck.java"
ORT_VERSION = "1.29.0"


class Fixtures:
    """Collects cases for tools/OrtGraphCheck.java: inputs, expected outputs, tolerances."""

    def __init__(self, bundle_dir):
        self.dir = Path(bundle_dir) / "selfcheck"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.lines = []

    def add(self, graph, case, inputs, outputs, max_steps, mean_steps):
        """inputs/outputs: dicts name -> numpy array. Tolerances are in quantisation steps of each output."""
        tolerances = {}
        for name, array in outputs.items():
            step = quantisation_step(array)
            tolerances[name] = (max_steps * step, mean_steps * step)
        self._add(graph, case, inputs, outputs, tolerances)

    def add_float(self, graph, case, inputs, outputs, exact, max_factor, mean_factor):
        """For float graphs: outputs are the framework's float32 results, exact the same module's results
        in float64. The tolerances are factors of the framework's own float32 error (max and mean |diff|
        against exact, at least one float32 ulp of the output's largest magnitude): a graph that rounds
        about as well as the framework stays within 2x, a wrong operation is far outside."""
        tolerances = {}
        for name, array in outputs.items():
            err = np.abs(np.asarray(array, dtype=np.float64) - exact[name])
            ulp = float(np.abs(exact[name]).max()) * float(np.finfo(np.float32).eps)
            tolerances[name] = (max_factor * max(float(err.max()), ulp), mean_factor * max(float(err.mean()), ulp))
        self._add(graph, case, inputs, outputs, tolerances)

    def _add(self, graph, case, inputs, outputs, tolerances):
        def write(kind, name, array):
            array = np.ascontiguousarray(array, dtype="<f4")
            file = f"{Path(graph).stem}.{case}.{kind}.{name}.f32"
            array.tofile(self.dir / file)
            return f"{name}:{file}:{'x'.join(str(d) for d in array.shape)}"

        ins = [write("in", n, a) for n, a in inputs.items()]
        outs = [f"{write('out', n, a)}:{tolerances[n][0]!r}:{tolerances[n][1]!r}" for n, a in outputs.items()]
        self.lines.append("\t".join([graph, case, ";".join(ins), ";".join(outs)]))

    def save(self):
        header = "# graph\tcase\tinputs\toutputs (name:file:shape:max_abs_tolerance:mean_abs_tolerance)\n"
        (self.dir / "cases.tsv").write_text(header + "\n".join(self.lines) + "\n")


def quantisation_step(array, floor=1e-4):
    """The output's int8 step (smallest gap between its distinct values); floor for float outputs."""
    values = np.unique(np.asarray(array, dtype=np.float64))
    gaps = np.diff(values)
    gaps = gaps[gaps > 1e-7]
    return float(max(gaps.min(), floor)) if gaps.size else floor


def find_ort_jar(explicit=None):
    """The ONNX Runtime jar given with --ort-jar, else VISIONSTREAM_ORT_JAR. The Maven build passes the jar
    it resolved (CPU or -Pgpu, from whichever local repository it uses), so no folder is guessed here: a
    guess would silently check the graphs with another jar than the build's."""
    for source, value in (("--ort-jar", explicit), ("VISIONSTREAM_ORT_JAR", os.environ.get("VISIONSTREAM_ORT_JAR"))):
        if not value:
            continue
        if "${" in value:
            raise SystemExit(f"{source} is the unresolved Maven expression {value}: run the build's "
                             "dependency:properties goal first (mvn -pl model-assets generate-resources)")
        if not Path(value).is_file():
            raise SystemExit(f"{source} names {value}, which is not a file: pass the onnxruntime jar")
        return value
    raise SystemExit("ONNX Runtime jar not found: pass --ort-jar JAR or set VISIONSTREAM_ORT_JAR, e.g. to the path "
                     f"of com.microsoft.onnxruntime:onnxruntime:{ORT_VERSION} in your Maven repository")


def run_check(bundle_dir, ort_jar, tmp_dir):
    """Runs every fixture through ONNX Runtime; returns (ok, printed table)."""
    Path(tmp_dir).mkdir(parents=True, exist_ok=True)
    cmd = ["java", f"-Djava.io.tmpdir={tmp_dir}", "-cp", ort_jar, str(TOOL), str(bundle_dir)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    return proc.returncode == 0, proc.stdout + proc.stderr


def publish(work, out, ort_jar, model, started):
    """Runs the self-check on the bundle built in `work` and, only if it passes, moves it to `out`; else exits
    non-zero and leaves no bundle at `out`. `model` names what the graphs were compared with."""
    ok, table = run_check(work, ort_jar, Path(out).parent / "native-tmp")
    print(table, end="")
    if not ok:
        raise SystemExit(f"self-check FAILED: the ONNX graphs in {work} do not match the {model}")
    shutil.rmtree(out, ignore_errors=True)
    Path(work).rename(out)
    print(f"bundle written to {out} in {time.time() - started:.1f} s")
