"""oad's command line: a thin face over the library (pipelines, spiders, matching)."""
