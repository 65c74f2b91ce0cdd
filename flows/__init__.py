"""Prefect flows: they compose library calls (pipelines, spiders, matching) and nothing more."""
