#!/usr/bin/env python3
"""Times the D2Go TorchScript model's inference per image, row (d) of `visionstream bench-pipeline`.

    /usr/bin/python3 model-assets/bench_torchscript.py --weights d2go.pt --threads 1 [--warmup 10] IMAGE...

Images are read and converted to the model's input (reference_d2go.py's loading and decoding) before the
clock starts; only model([x]) is timed, one image per call, after --warmup untimed calls. Prints one line
"torch VERSION threads N", one line with the milliseconds of each image, space-separated, and one line
"cpu SECONDS": the process's CPU time (all threads) over the timed calls.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402

from visionstream_bundle import d2go  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", required=True, type=Path, help="d2go.pt (TorchScript)")
    p.add_argument("--threads", required=True, type=int, help="torch.set_num_threads (the detector's intra-op threads)")
    p.add_argument("--warmup", type=int, default=10, help="untimed calls first, cycling over the images (default 10)")
    p.add_argument("images", nargs="+", type=Path)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = d2go.load(a.weights)
    inputs = [d2go.wrapper_input(d2go.read_bgr(path)) for path in a.images]
    millis = []
    with torch.no_grad():
        for i in range(a.warmup):
            model([inputs[i % len(inputs)]])
        cpu = time.process_time()
        for x in inputs:
            start = time.perf_counter()
            model([x])
            millis.append((time.perf_counter() - start) * 1000)
        cpu = time.process_time() - cpu
    print(f"torch {torch.__version__} threads {torch.get_num_threads()}")
    print(" ".join(f"{m:.3f}" for m in millis))
    print(f"cpu {cpu:.3f}")


if __name__ == "__main__":
    main()
