"""Reads from a PostgreSQL read replica, writes to the primary (``DATABASE_REPLICA_URL``).

The rule, kept simple on purpose:

* every write goes to the primary (``default``);
* a read goes to the replica, unless it runs inside a transaction (``atomic``: it must see
  the transaction's own writes and lock what it reads) or comes after a write in the same
  request (the request must see what it has just written; the replica may lag behind);
* sessions are always read from the primary: the request right after a log-in must find the
  session the log-in wrote, or the reader would seem signed out;
* migrations run on the primary only; the replica copies them.

"The same request" is what :class:`PrimaryAfterWriteMiddleware` delimits: it resets the
mark at the start of every request. Outside a request (management commands, shells) the
mark stays set after the first write, so a script that writes then reads is consistent.

What is not covered: a reader's *next* request, right after a POST that redirects, may read
from a replica that is a fraction of a second behind (a comment just posted shows up a
moment later). Streaming replication usually keeps up within milliseconds; for a site whose
replica lags more, send those pages to the primary too.
"""

import contextvars

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
# Apps whose rows are read back by the very next request after they are written.
PRIMARY_ONLY_APPS = {"sessions"}

_wrote = contextvars.ContextVar("wrote_to_primary", default=False)


class PrimaryReplicaRouter:
    """Listed in ``DATABASE_ROUTERS`` when ``DATABASE_REPLICA_URL`` is set."""

    def __init__(self, replica=REPLICA_DB_ALIAS):
        self.replica = replica

    def db_for_read(self, model, **hints):
        if (
            _wrote.get()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return self.replica

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same rows: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class PrimaryAfterWriteMiddleware:
    """Each request starts reading from the replica, whatever the thread's previous request
    wrote; listed first in ``MIDDLEWARE`` when a replica is configured, so that every write of
    the request (the session's included) is seen by the reads that follow it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _wrote.set(False)
        try:
            return self.get_response(request)
        finally:
            _wrote.reset(token)
