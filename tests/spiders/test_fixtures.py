"""The fixture generator rebuilds every committed fixture, and the demo's crawl files, from files
committed in this repository alone."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO
from tests.spiders.helpers import FIXTURES

DEMO = REPO / "data" / "sample" / "crawl"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("synthetic", FIXTURES / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_reads_only_committed_files_and_reproduces_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = _generator()
    inputs = tmp_path / "inputs"
    shutil.copytree(FIXTURES / "originals", inputs / "originals")
    out, demo = tmp_path / "fixtures", tmp_path / "demo"
    (out / "gleif" / "api").mkdir(parents=True)
    real = ("lei", "children", "child_relationships")
    for name in (f"{kind}_INR2EJN1ERAN0W5ZP974.json" for kind in real):
        shutil.copy(FIXTURES / "gleif" / "api" / name, out / "gleif" / "api" / name)
    monkeypatch.setattr(generator, "HERE", out)
    monkeypatch.setattr(generator, "DEMO", demo)
    monkeypatch.setattr(generator, "ORIGINALS", inputs / "originals")
    monkeypatch.setattr(generator, "GLEIF_API", out / "gleif" / "api")

    generator.main()

    written = {p.relative_to(out): p for p in out.rglob("*") if p.is_file()}
    assert len(written) >= 20
    for relative, path in written.items():
        assert path.read_bytes() == (FIXTURES / relative).read_bytes(), f"fixtures/{relative}"
    demo_files = {p.relative_to(demo): p for p in demo.rglob("*") if p.is_file()}
    committed = {p.relative_to(DEMO) for p in DEMO.rglob("*") if p.is_file()}
    assert set(demo_files) == committed - {Path("README.md")}
    for relative, path in demo_files.items():
        assert path.read_bytes() == (DEMO / relative).read_bytes(), f"data/sample/crawl/{relative}"


def test_no_project_file_points_outside_the_repository() -> None:
    # spelled in pieces so that this file does not match itself
    outside = ["/".join(("", "work", "shared")), "/".join(("..", "shared"))]
    for folder in ("spiders", "pipelines", "matching", "flows", "cli", "tests", "benchmarks"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert not any(place in text for place in outside), path
