"""The runs page: each match, leads and discovery run, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from pipelines.run_history import duration, recent_runs, stats_summary
from web.auth import Viewer
from web.reading import reading
from web.render import page

router = APIRouter()
RUNS_SHOWN = 50


@router.get("/runs")
def runs(request: Request, session: Viewer) -> Response:
    with reading(request) as (con, store_view):
        rows = [
            {
                "run": run,
                "took": duration(run),
                "summary": stats_summary(run),
            }
            for run in recent_runs(con, None, RUNS_SHOWN)
        ]
    return page(request, "runs.html", session, store_view=store_view, rows=rows)
