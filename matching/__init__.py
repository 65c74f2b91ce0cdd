"""oad: matching."""
