"""What every ``graphsvc`` command shares: the settings of this run and one way to open the store.

The ``graphsvc`` group puts the settings on the click context (``--store`` or ``GRAPHSVC_STORE``
over the configuration); a command module calls these helpers and never reads the context
itself. A command called without the group (``cli.main`` in a test, or a plugin) gets the
settings from the environment, the same rules the group applies.
"""

from __future__ import annotations

import click

from graphsvc.config import Settings, load_settings
from graphsvc.store import GraphStore, open_store
from graphsvc.vocab import Vocabulary, load_vocabulary

__all__ = ["settings", "open_graph_store", "vocabulary"]


def settings(ctx: click.Context | None = None) -> Settings:
    """The settings of this run."""
    obj = (ctx or click.get_current_context()).find_object(dict)
    if obj and isinstance(obj.get("settings"), Settings):
        return obj["settings"]
    return load_settings()


def open_graph_store(ctx: click.Context | None = None, url: str | None = None, *,
                     create: bool = True) -> GraphStore:
    """The store named by ``url``, or by the settings of this run; ``create=False`` refuses to
    make a new empty SQLite file where an existing store is expected."""
    current = settings(ctx)
    return open_store(url or current.store, current, create=create)


def vocabulary(ctx: click.Context | None = None) -> Vocabulary:
    """The vocabularies of this run (the configured folder, or the ones shipped)."""
    return load_vocabulary(settings(ctx).vocab_dir or None)
