"""oad: flows."""
