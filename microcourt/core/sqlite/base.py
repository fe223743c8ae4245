"""Django's SQLite backend, with closed connections kept for the next request.

Under ASGI Django opens a database connection per request and closes it at the end (persistent
connections do not apply; PostgreSQL has psycopg's pool for this). On SQLite each new
connection registers Django's SQL functions, runs the PRAGMAs and, on its first statement,
parses the whole schema (about 370 tables and indexes here), and the last one to close
checkpoints the WAL: 2.7 ms per request on the benchmark machine against 0.4 ms for a
two-table database, a large share of a simple API read (docs/benchmarks.md, request path).
Here a connection closed outside a transaction is kept (up to ``IDLE`` per process) and handed
to the next ``connect()`` instead of opening a new one. Connections are used by one thread at
a time, as before (Django opens SQLite connections with ``check_same_thread=False``). An
in-memory database (the tests) is left to Django, which never closes it anyway.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

from django.db.backends.sqlite3 import base

IDLE = 8  # connections kept per process and database file


class DatabaseWrapper(base.DatabaseWrapper):
    _idle: ClassVar[dict[str, list[Any]]] = {}
    _idle_lock: ClassVar[threading.Lock] = threading.Lock()

    def _keeps(self) -> bool:
        return not self.is_in_memory_db()

    def get_new_connection(self, conn_params):
        if self._keeps():
            with self._idle_lock:
                idle = self._idle.get(str(self.settings_dict["NAME"]))
                if idle:
                    return idle.pop()
        return super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection = self.connection
        if connection is None:
            return
        if self._keeps() and not connection.in_transaction:
            with self._idle_lock:
                idle = self._idle.setdefault(str(self.settings_dict["NAME"]), [])
                if len(idle) < IDLE:
                    idle.append(connection)
                    return
        with self.wrap_database_errors:
            connection.close()
