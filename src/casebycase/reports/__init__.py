"""Transparency reports: definitions as data, computation in DuckDB, small cells suppressed."""
