"""The investigator workbench: a thin web face over the library (pages, login, roles)."""
