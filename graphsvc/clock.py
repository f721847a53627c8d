"""The one clock: every timestamp Goudkaart stores or prints comes from here."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["utc_now"]


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, the form every timestamp is stored in."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
