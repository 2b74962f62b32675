"""Writes and validates model.json against model-assets/schema/model.schema.json (the Java side uses the same file)."""
import hashlib
import json
from pathlib import Path

import jsonschema

ASSETS = Path(__file__).resolve().parent.parent
SCHEMA = ASSETS / "schema" / "model.schema.json"
FORMAT = "visionstream-faster-rcnn/1"
GRAPHS = ("backbone.onnx", "rpn.onnx", "head.onnx")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def converter_version(script):
    """First 16 hex of a sha256 over the converter script, the shared helpers and the self-check tool."""
    h = hashlib.sha256()
    for f in [Path(script).resolve(), *sorted((ASSETS / "visionstream_bundle").glob("*.py")),
              ASSETS / "tools" / "OrtGraphCheck.java"]:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def is_current(directory, sha, script):
    """True when the bundle holds a valid manifest for these weights from this converter version, and the graphs."""
    try:
        m = read(directory)
    except (OSError, ValueError):
        return False
    src = m["model"]["source"]
    return src["sha256"] == sha and src.get("converterVersion") == converter_version(script) and all(
        (Path(directory) / g).is_file() for g in GRAPHS)


def validate(manifest):
    """Raises ValueError naming the field when the manifest breaks the schema or a cross-field rule."""
    schema = json.loads(SCHEMA.read_text())
    try:
        jsonschema.validate(manifest, schema)
    except jsonschema.ValidationError as e:
        where = ".".join(str(p) for p in e.absolute_path) or "(root)"
        raise ValueError(f"manifest field {where}: {e.message}") from None
    classes = manifest["classes"]
    for i, c in enumerate(classes):
        if c["index"] != i:
            raise ValueError(f"manifest field classes[{i}].index must be {i}, got {c['index']}")
    if len({c["name"] for c in classes}) != len(classes):
        raise ValueError("manifest field classes[].name must be unique")
    head = manifest["head"]
    if head["scoreActivation"] == "softmax" and not 0 <= head["backgroundIndex"] <= len(classes):
        raise ValueError(f"manifest field head.backgroundIndex must be in [0, {len(classes)}]")
    if manifest["rpn"]["postNmsTopK"] > manifest["rpn"]["preNmsTopK"]:
        raise ValueError("manifest field rpn.postNmsTopK must not exceed rpn.preNmsTopK")


def write(manifest, directory):
    validate(manifest)
    (Path(directory) / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def read(directory):
    manifest = json.loads((Path(directory) / "model.json").read_text())
    validate(manifest)
    return manifest
