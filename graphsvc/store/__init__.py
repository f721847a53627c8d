"""Graph stores: the contract and its embedded (SQLite) and server (Neo4j) backends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graphsvc.config import describe_store_url
from graphsvc.store.base import GraphStore, Transaction

if TYPE_CHECKING:
    from graphsvc.config import Settings

__all__ = ["GraphStore", "Transaction", "open_store"]


def open_store(url: str, settings: Settings | None = None, *, create: bool = True) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path`` or ``neo4j://host:port`` / ``bolt://…``.

    Neo4j credentials come from ``settings`` (never from the URL).
    """
    scheme, location = describe_store_url(url)
    if scheme == "sqlite":
        from graphsvc.store.sqlite import SQLiteStore

        return SQLiteStore(location, create=create)
    from graphsvc.store.neo4j import Neo4jStore  # type: ignore[import-not-found,unused-ignore]

    if settings is None:
        from graphsvc.config import load_settings

        settings = load_settings()
    return Neo4jStore(  # type: ignore[no-any-return,unused-ignore]
        url,
        user=settings.neo4j_user,
        password=settings.neo4j_password,
        database=settings.neo4j_database,
    )
