"""`oad names`: look inside cross-script name handling."""

from __future__ import annotations

import dataclasses

import click

from cli.output import echo
from matching.names import company_keys, detect_script, person_keys
from matching.names.legal_forms import english_words, strip_chinese_form, strip_english_form
from matching.names.script import han_key


@click.group(name="names")
def command() -> None:
    """Cross-script names: how oad reads and compares a name.

    \b
    Example:
      oad names explain 许家印
    """


@command.command(name="explain")
@click.argument("name")
@click.option(
    "--kind",
    type=click.Choice(["person", "company", "auto"]),
    default="auto",
    show_default=True,
    help="Read NAME as a person or a company; auto guesses from legal-form words.",
)
def explain(name: str, kind: str) -> None:
    """Print the parsed parts of NAME and every key oad derives from it.

    \b
    Example:
      oad names explain 许家印
      oad names explain "深圳市腾讯计算机系统有限公司" --kind company
      oad names explain "Peter CHAN Tai-man" --kind person
    """
    chosen = _guess_kind(name) if kind == "auto" else kind
    echo(f"name: {name}\nscript: {detect_script(name)}\nkind: {chosen}")
    keys = person_keys(name) if chosen == "person" else company_keys(name)
    for field in dataclasses.fields(keys):
        if field.name not in ("name", "script"):
            echo(f"{field.name}: {_show(getattr(keys, field.name))}")
    echo(f"blocking_keys: {_show(keys.blocking_keys)}")


def _guess_kind(name: str) -> str:
    if strip_chinese_form(han_key(name))[1] or strip_english_form(english_words(name))[1]:
        return "company"
    return "person" if 0 < len(han_key(name)) <= 4 or len(name.split()) <= 4 else "company"


def _show(value: object) -> str:
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(str(v) for v in value)) or "-"
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple) and len(value[0]) == 3:
            shown = sorted(value, key=lambda c: -c[1])
            return ", ".join(f"{w} {v:.2f} ({u})" for w, v, u in shown[:25]) or "-"
        return ", ".join(str(v) for v in value) or "-"
    return str(value) if value != "" else "-"
