"""The local HTTP server every spider test fetches from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from spiders.localserver import LocalServer
from tests.spiders.helpers import FIXTURES


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """The recorded responses under fixtures/, on a free port of 127.0.0.1."""
    with LocalServer(FIXTURES) as running:
        yield running
