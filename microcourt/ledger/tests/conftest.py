from microcourt.ledger.tests.fixtures import ledger_settings  # noqa: F401
