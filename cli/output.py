"""What the command line prints: text from the store and from files is data, so a control
character in a crawled name (an escape sequence, a carriage return) is shown, not obeyed, and
a file name that is not valid text (bytes of another encoding in an argument) still prints."""

from __future__ import annotations

import re

import click

# C0 and C1 controls but newline and tab, and DEL
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# bytes of a file name that were not UTF-8, as Python keeps them (U+DC80 to U+DCFF)
_UNDECODED = re.compile("[\udc80-\udcff]")


def printable(text: str) -> str:
    shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    shown = _UNDECODED.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", shown)
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def echo(text: str, err: bool = False) -> None:
    click.echo(printable(text), err=err)


class UserError(click.ClickException):
    """A one-line error about what the user gave; printed escaped like any other output."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


class Held(UserError):
    """Nothing was applied, on purpose (a snapshot that would remove too much): exit status 4."""

    exit_code = 4
