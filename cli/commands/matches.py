"""`oad matches`: look at, explain, review and export what matching found."""

from __future__ import annotations

import getpass
from pathlib import Path

import click

from cli.commands.common import open_store
from cli.output import UserError, echo
from pipelines.written import text_file


@click.group(name="matches")
def command() -> None:
    """Ranked candidates per debtor, their explanations, reviews and exports.

    \b
    Example:
      oad matches show D001
    """


@command.command(name="show")
@click.argument("debtor_id")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True)
@click.pass_context
def show(ctx: click.Context, debtor_id: str, top: int) -> None:
    """Print DEBTOR_ID's ranked candidates with what agreed (contributions in bits).

    \b
    Example:
      oad matches show D001 --top 5
    """
    from matching.explain import candidates, render_text

    with open_store(ctx, read_only=True) as store:
        found = candidates(store.con, debtor_id, top)
        row = store.con.execute(
            "SELECT debtor_id, name, kind FROM debtors WHERE debtor_id = ?", [debtor_id]
        ).fetchall()[0]
    echo(render_text(dict(zip(("debtor_id", "name", "kind"), row, strict=True)), found))


@command.command(name="explain")
@click.argument("debtor_id")
@click.argument("source")
@click.argument("source_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="HTML file to write.")
@click.pass_context
def explain(
    ctx: click.Context, debtor_id: str, source: str, source_id: str, out: Path | None
) -> None:
    """Write a waterfall chart (HTML) of how one pair's match weight adds up.

    \b
    Example:
      oad matches explain D016 gleif 836800FXO82WAQQSJI94 --out pair.html
    """
    from matching.explain import candidates, waterfall_html
    from pipelines.errors import OadError

    with open_store(ctx, read_only=True) as store:
        found = [
            c
            for c in candidates(store.con, debtor_id, limit=1 << 30)
            if (c.source, c.source_id) == (source, source_id)
        ]
        name = store.scalar("SELECT name FROM debtors WHERE debtor_id = ?", [debtor_id])
    if not found:
        raise UserError(str(OadError(f"{debtor_id} has no candidate {source} {source_id}")))
    pair = found[0]
    out = out or Path(f"explain_{debtor_id}_{source}_{source_id}.html".replace("/", "_"))
    title = f"{name} ↔ {pair.record_name}"
    subtitle = f"debtor {debtor_id}; record {source} {source_id}; {pair.reason or ''}"
    with text_file(out) as handle:
        handle.write(waterfall_html(title, subtitle, pair.steps, pair.probability))
    echo(f"wrote {out}")


@command.command(name="export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--min-probability", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--top", type=click.IntRange(1), help="At most this many rows per debtor.")
@click.pass_context
def export(ctx: click.Context, out: Path, min_probability: float, top: int | None) -> None:
    """Write candidates to OUT.csv: debtor_id, source, source_id, record_name,
    match_probability, match_weight, rank (1 is each debtor's best).

    \b
    Example:
      oad matches export leads.csv --min-probability 0 --top 10
    """
    from matching.export import export_matches

    with open_store(ctx, read_only=True) as store:
        written = export_matches(store.con, out, min_probability, top)
    echo(f"wrote {written} rows to {out}")


@command.command(name="review")
@click.argument("debtor_id")
@click.argument("source")
@click.argument("source_id")
@click.option("--confirm", is_flag=True, help="The record is this debtor.")
@click.option("--reject", is_flag=True, help="The record is not this debtor.")
@click.option("--note", help="Why, for the case file.")
@click.option("--reviewer", default=None, help="Who decided (default: the logged-in user).")
@click.pass_context
def review(
    ctx: click.Context,
    debtor_id: str,
    source: str,
    source_id: str,
    confirm: bool,
    reject: bool,
    note: str | None,
    reviewer: str | None,
) -> None:
    """Confirm or reject one candidate; the decision holds on every later run.

    \b
    Example:
      oad matches review D001 hk_companies_registry 1043415 --confirm --note "same director"
    """
    from matching.reviews import record_review

    if confirm == reject:
        raise click.UsageError("say --confirm or --reject, one of them")
    decision = "confirm" if confirm else "reject"
    who = reviewer or getpass.getuser()
    with open_store(ctx) as store, store.transaction() as con:
        review_id = record_review(con, debtor_id, source, source_id, decision, who, note)
        store.audit("review", {"review_id": review_id, "debtor_id": debtor_id, "source": source,
                               "source_id": source_id, "decision": decision})  # fmt: skip
    echo(f"review {review_id}: {decision} {debtor_id} ~ {source} {source_id}")
