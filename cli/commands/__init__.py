"""Command groups of the `oad` CLI, one module per group."""
