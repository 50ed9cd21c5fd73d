"""Storage: one SQLAlchemy schema for SQLite (default) and PostgreSQL, with Alembic migrations."""
