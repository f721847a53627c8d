"""The writes: meeting sessions, capacity, positioning, history and undo, privacy, migration,
profile edits, tie requests, introductions, signals, backup and the store doctor.

Every module here changes the store through :class:`graphsvc.store.base.GraphStore` and may read
the snapshot; none imports ``queries``, ``importers``, ``visualisations``, ``web`` or ``cli``
(docs/design.md §6, tested by ``tests/test_layers.py``).
"""
