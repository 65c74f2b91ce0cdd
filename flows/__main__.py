"""`python -m flows` runs the oad CLI (the same as the `oad` command)."""

from flows.cli import main

main()
