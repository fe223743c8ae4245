"""SQLite with its connections kept open per process (``ENGINE = "microcourt.core.sqlite"``)."""
