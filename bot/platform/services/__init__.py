"""Platform services: plain functions over a SQLAlchemy ``Session`` (no HTTP here)."""
