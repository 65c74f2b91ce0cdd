"""`python -m cli` runs the oad CLI (the same as the `oad` command)."""

from cli.main import main

main()
