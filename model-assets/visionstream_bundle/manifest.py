"""Writes and validates model.json against model-assets/schema/model.schema.json (the Java side uses the same file)."""
import hashlib
import json
from pathlib import Path

import jsonschema

ASSETS = Path(__file__).resolve().parent.parent
SCHEMA = ASSETS / "schema" / "model.schema.json"
RULES = SCHEMA.with_name("model.rules.json")
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
    for rule in json.loads(RULES.read_text())["rules"]:
        broken = _broken(rule, manifest)
        if broken:
            raise ValueError(f"manifest field {rule['message']} ({broken})")


def _pointer(document, pointer):
    for token in pointer.lstrip("/").split("/"):
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


def _broken(rule, m):
    """What breaks `rule` (schema/model.rules.json) in manifest `m`, or None."""
    if any(_pointer(m, p) != v for p, v in rule.get("when", {}).items()):
        return None
    check = rule["check"]
    if check == "indexEqualsPosition":
        return next((f"entry {i} has {e[rule['field']]}" for i, e in enumerate(_pointer(m, rule["array"]))
                     if e[rule["field"]] != i), None)
    if check == "unique":
        values = [e[rule["field"]] for e in _pointer(m, rule["array"])]
        return next((f"'{v}' appears {values.count(v)} times" for v in values if values.count(v) > 1), None)
    value = _pointer(m, rule["value"])
    limit = rule["limit"]
    limit = len(_pointer(m, limit[len("length:"):])) if limit.startswith("length:") else _pointer(m, limit)
    if check == "atMost":
        return f"{value} > {limit}" if value > limit else None
    if check == "zeroOrAtLeast":
        return f"{value} < {limit}" if value != 0 and value < limit else None
    raise ValueError(f"unknown check '{check}' in {RULES}")


def write(manifest, directory):
    validate(manifest)
    (Path(directory) / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def read(directory):
    manifest = json.loads((Path(directory) / "model.json").read_text())
    validate(manifest)
    return manifest
