"""faiss's own OpenBLAS runs the kernels numpy's OpenBLAS chose for this processor, not the
oldest ones it falls back to when it does not know the processor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# run in a process of its own: OpenBLAS reads its kernels' name once, when faiss is loaded
_REPORT = """
import json
from threadpoolctl import threadpool_info
from matching.faiss_loader import load_faiss, numpy_blas_kernels
numpy_kernels = numpy_blas_kernels()
load_faiss()
faiss_kernels = [lib.get("architecture") for lib in threadpool_info()
                 if lib.get("internal_api") == "openblas" and "faiss" in lib["filepath"]]
print(json.dumps({"numpy": numpy_kernels, "faiss": faiss_kernels}))
"""


def _kernels(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    done = subprocess.run(
        [sys.executable, "-c", _REPORT], cwd=REPO, env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_faiss_blas_runs_the_kernels_numpy_chose() -> None:
    found = _kernels()
    assert found["numpy"], "numpy's OpenBLAS names its kernels"
    assert found["faiss"] == [found["numpy"]]


def test_a_kernel_choice_the_user_made_is_kept() -> None:
    found = _kernels(OPENBLAS_CORETYPE="Prescott")
    assert found["faiss"] == ["Prescott"]
