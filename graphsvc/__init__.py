"""Goudkaart: a partnership-mapping service for community organisations.

For notebooks: ``g = graphsvc.open()`` (see :mod:`graphsvc.notebook` and docs/python-api.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.notebook import Graph

__version__ = "0.1.0"
__all__ = ["open", "__version__"]


def open(url: str | None = None, **options: Any) -> Graph:
    """Open a Goudkaart store for analysis; see :func:`graphsvc.notebook.open_graph`."""
    from graphsvc.notebook import open_graph  # the analysis API pulls in pandas and the queries

    return open_graph(url, **options)
