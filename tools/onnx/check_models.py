#!/usr/bin/python3
"""Runs onnx.checker (full check, with shape inference) on exported .onnx files.

Not part of the build: the Java tests never call it. Usage, after keeping the test exports:

  mvn -o test -pl neurite-core,neurite-onnx -Dtest=SequenceExportTest -Dneurite.onnx.exportDir=/tmp/exports
  /usr/bin/python3 tools/onnx/check_models.py /tmp/exports/*.onnx

Prints one line per file (OK, or the checker's first line) and exits 1 if any file fails.
"""
import sys

import onnx


def main(paths):
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
            print(f"OK    {path} (opset {opset}, IR {model.ir_version}, {len(model.graph.node)} nodes)")
        except Exception as e:  # the checker raises ValidationError, inference InferenceError
            failed += 1
            print(f"FAIL  {path}: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
