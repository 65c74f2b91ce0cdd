"""`oad names`: look inside cross-script name handling."""

from __future__ import annotations

import dataclasses

import click

from cli.output import echo
from matching.names import company_keys, detect_script, person_keys
from matching.names.legal_forms import english_words, strip_chinese_form, strip_english_form
from matching.names.persons import split_han_name
from matching.names.romanise import readings_by_system, surname_spellings
from matching.names.script import han_key
from matching.names.spellings import table_spellings


@click.group(name="names")
def command() -> None:
    """Cross-script names: how oad reads and compares a name.

    \b
    Example:
      oad names explain 许家印
      oad names explain 林绍良 --kind person
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

    A person's name in Chinese characters also shows each character's readings, by the system
    each spelling comes from: pinyin, Hong Kong and Macau Cantonese, Wade-Giles, Tongyong pinyin,
    Hokkien, and the irregular spellings of data/names/syllables.tsv with their source. Dutch-era
    Indonesian spellings (oe, tj, dj) are compared as their modern forms (Sioe as siu).

    \b
    Example:
      oad names explain 许家印
      oad names explain 林绍良 --kind person
      oad names explain "深圳市腾讯计算机系统有限公司" --kind company
      oad names explain "Peter CHAN Tai-man" --kind person
      oad names explain "Liem Sioe Liong" --kind person
    """
    chosen = _guess_kind(name) if kind == "auto" else kind
    echo(f"name: {name}\nscript: {detect_script(name)}\nkind: {chosen}")
    keys = person_keys(name) if chosen == "person" else company_keys(name)
    for field in dataclasses.fields(keys):
        if field.name not in ("name", "script"):
            echo(f"{field.name}: {_show(getattr(keys, field.name))}")
    echo(f"blocking_keys: {_show(keys.blocking_keys)}")
    if chosen == "person":
        for line in person_readings(name):
            echo(line)


def person_readings(name: str) -> list[str]:
    """Lines showing the readings of a Han person name's characters, by system."""
    found = split_han_name(han_key(name))
    if not found:
        return []
    lines = ["readings:"]
    for surname in found[0].surnames:
        lines.append(f"  {surname} (surname): {', '.join(surname_spellings(surname))}")
        sources: dict[str, list[str]] = {}
        for spelling, system, source in table_spellings(surname, "surname"):
            sources.setdefault(f"{system} ({source})", []).append(spelling)
        lines.extend(f"    {system}: {', '.join(s)}" for system, s in sources.items())
    for char in found[0].given:
        systems = "; ".join(f"{system} {', '.join(s)}" for system, s in readings_by_system(char))
        lines.append(f"  {char}: {systems}")
    return lines


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
