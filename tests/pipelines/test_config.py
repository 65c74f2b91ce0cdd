"""The discovery configuration: read whole at start, a bad file refused naming the key and the
reason, relative paths read from the file's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.errors import OadError


def write(folder: Path, text: str) -> Path:
    path = folder / "oad.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_configuration_is_read_with_paths_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "recorded").mkdir()
    config = load_config(
        write(
            tmp_path,
            'store = "bank.duckdb"\n[crawl]\nserve = "recorded"\nretries = 4\n'
            '[[crawl.sources]]\nsource = "gleif"\ndataset = "relationships"\n'
            'settings = { DOWNLOAD_DELAY = "2" }\n'
            '[imports]\nfolder = "inbox"\n[digest]\nwebhook = "http://127.0.0.1:9/hook"\n'
            '[schedule]\ncron = "0 2 * * *"\n',
        )
    )
    assert config.store == tmp_path / "bank.duckdb"
    assert config.crawl.serve == tmp_path / "recorded" and config.crawl.retries == 4
    [gleif] = config.crawl.sources
    assert (gleif.source, gleif.dataset, gleif.settings) == (
        "gleif", "relationships", {"DOWNLOAD_DELAY": "2"}
    )  # fmt: skip
    assert config.imports.folder == tmp_path / "inbox"
    assert config.digest.folder == tmp_path / "digests" and config.digest.min_confidence == 0.3
    assert config.schedule.cron == "0 2 * * *" and config.match.threshold == 0.9


def test_an_empty_file_is_every_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.crawl.sources == [] and config.imports.folder is None
    assert config.leads.depth == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[crawl]\nretries = -1\n", "crawl.retries: Input should be greater than or equal to 0"),
        ("[crawl]\nconcurency = 2\n", "crawl.concurency: Extra inputs are not permitted"),
        ('[[crawl.sources]]\nsource = "nowhere"\n', "crawl.sources.0.source: no spider 'nowhere'"),
        ('[[crawl.sources]]\nsource = "gleif"\ndataset = "x"\n',
         "crawl.sources.0: gleif has no dataset 'x'"),
        ('[[crawl.sources]]\nsource = "gleif"\nbase_url = "ftp://x"\n',
         "crawl.sources.0.base_url: not an http(s) URL: 'ftp://x'"),
        ('[digest]\nwebhook = "file:///etc/passwd"\n', "digest.webhook: not an http(s) URL"),
        ("[match]\nthreshold = 1.5\n", "match.threshold: Input should be less than or equal to 1"),
        ('[crawl]\nserve = "missing"\n', "crawl.serve: no folder"),
        ("[crawl\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_configuration_names_the_file_the_key_and_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(OadError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}: ") and message in str(raised.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(OadError, match="no configuration file here"):
        load_config(tmp_path / "none.toml")
