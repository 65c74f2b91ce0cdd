"""faiss, loaded so that the OpenBLAS it carries runs the processor's current kernels.

faiss-cpu's wheel carries its own OpenBLAS (0.3.15), which does not know recent processors and
falls back to its oldest kernels (Prescott): learning 2,048 clusters from 102,400 name vectors
took 10.4 s with them and 2.9 s with the kernels numpy's newer OpenBLAS picks for the same
processor (SkylakeX). OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, so before faiss
is first imported the variable is set to numpy's choice, a set of kernels this processor is
known to run. A value the user set is left alone, and an older OpenBLAS that does not know the
name keeps its own choice.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

CORE_TYPE = "OPENBLAS_CORETYPE"


def load_faiss() -> ModuleType:
    """The faiss module, its OpenBLAS told numpy's kernels if faiss is not loaded yet."""
    if "faiss" not in sys.modules and CORE_TYPE not in os.environ:
        kernels = numpy_blas_kernels()
        if kernels:
            os.environ[CORE_TYPE] = kernels
    import faiss

    return faiss


def numpy_blas_kernels() -> str | None:
    """The kernels numpy's OpenBLAS chose for this processor (None: numpy has another BLAS)."""
    import numpy  # noqa: F401  (loads its BLAS, for threadpoolctl to find)
    from threadpoolctl import threadpool_info

    for library in threadpool_info():
        if library.get("internal_api") == "openblas" and "faiss" not in library["filepath"]:
            return library.get("architecture") or None
    return None
