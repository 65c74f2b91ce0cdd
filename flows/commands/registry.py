"""The list of command modules; each module exposes one click command or group named `command`."""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES = [
    "flows.commands.status",
    "flows.commands.debtors",
    "flows.commands.records",
    "flows.commands.names",
    "flows.commands.crawl",
    "flows.commands.match",
    "flows.commands.matches",
    "flows.commands.evaluate",
]


def register_all(group: click.Group) -> None:
    for module_name in COMMAND_MODULES:
        group.add_command(importlib.import_module(module_name).command)
