"""Prefect for the flow tests: analytics off (they lock Prefect's SQLite file on a small
machine) and its home in a temporary folder, set before Prefect is first imported."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="oad-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
