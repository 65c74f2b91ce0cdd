"""The command modules, loaded when their command is run: each exposes one click command or
group named `command`, under the name it is listed by here."""

from __future__ import annotations

import importlib

import click

from cli.output import Held, UserError
from pipelines.errors import OadError, RemovalsHeld, disk_full, os_error_text

COMMAND_MODULES = {
    "status": "cli.commands.status",
    "debtors": "cli.commands.debtors",
    "records": "cli.commands.records",
    "names": "cli.commands.names",
    "crawl": "cli.commands.crawl",
    "sources": "cli.commands.sources",
    "match": "cli.commands.match",
    "matches": "cli.commands.matches",
    "leads": "cli.commands.leads",
    "runs": "cli.commands.runs",
    "evaluate": "cli.commands.evaluate",
    "run": "cli.commands.run",
    "schedule": "cli.commands.schedule",
    "pool": "cli.commands.pool",
    "assess": "cli.commands.assess",
    "export": "cli.commands.export",
    "serve": "cli.commands.serve",
    "users": "cli.commands.users",
    "search": "cli.commands.search",
}


class LazyGroup(click.Group):
    """A group whose commands' modules are imported only when asked for: `oad records import`
    does not pay for loading the name matching or the spiders."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *COMMAND_MODULES]

    def invoke(self, ctx: click.Context) -> object:
        """Every command's errors that a user can act on, as one line without a traceback."""
        try:
            return super().invoke(ctx)
        except RemovalsHeld as error:
            raise Held(str(error)) from None
        except OadError as error:
            raise UserError(str(error)) from None
        except OSError as error:
            raise UserError(os_error_text(error)) from None
        except Exception as error:
            if disk_full(error):
                raise UserError(f"the disk is full: {error}".splitlines()[0]) from None
            raise

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return super().get_command(ctx, cmd_name)
        command: click.Command = importlib.import_module(module_name).command
        return command
