"""oad: pipelines."""
