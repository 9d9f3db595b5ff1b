"""The store: SQLite connection and pragmas, migrations, the hash-chained event log, projections, queries.

All SQL in Counter lives in this package.
"""
