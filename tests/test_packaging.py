"""oad installed as users install it, from a wheel into a fresh environment (not editable, run
outside the clone), finds its package data: it imports a debtor list and matches records."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO


def run(command: list[str], cwd: Path, timeout: float = 600) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OAD_DB")}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.mark.slow
def test_a_wheel_installed_elsewhere_imports_and_matches(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(dist), str(REPO)], tmp_path)  # fmt: skip
    wheel = next(dist.glob("oad-*.whl"))
    fresh = tmp_path / "fresh"
    run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], tmp_path)
    # the installed dependencies, without this clone (whose editable install they also hold)
    site = Path(
        run(
            [str(fresh / "bin/python"), "-c", "import site; print(site.getsitepackages()[0])"],
            tmp_path,
        ).strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
         str(wheel)], tmp_path)  # fmt: skip
    python = str(fresh / "bin/python")
    where = run(
        [python, "-c", "import data, pipelines; print(pipelines.__file__, data.__file__)"], tmp_path
    )
    assert str(REPO) not in where and str(site) in where
    db = str(tmp_path / "store.duckdb")
    oad = [python, "-m", "cli", "--db", db]
    out = run([*oad, "debtors", "import", str(REPO / "data/sample/debtors.csv")], tmp_path)
    assert "24 loaded" in out
    records = REPO / "data/sample/records/hk_companies_registry.csv"
    out = run([*oad, "records", "import", str(records), "--source", "hk"], tmp_path)
    assert "300 loaded" in out
    out = run([*oad, "match"], tmp_path)
    assert "candidate pairs" in out and " links at >= 0.9" in out
    out = run([*oad, "matches", "show", "D001", "--top", "1"], tmp_path)
    assert "1." in out
