"""The project's exceptions: one base class, subclasses named for what went wrong."""

from __future__ import annotations

__all__ = [
    "GraphsvcError",
    "NotFound",
    "InvalidInput",
    "Conflict",
    "StoreUnavailable",
    "ImportFailed",
    "ConfigError",
    "Forbidden",
]


class GraphsvcError(Exception):
    """Base class; ``str(error)`` is one plain sentence fit to show a user."""

    status = 500
    code = "error"

    def __init__(self, message: str, *, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors or [])


class NotFound(GraphsvcError):
    status = 404
    code = "not_found"


class InvalidInput(GraphsvcError):
    status = 400
    code = "invalid_input"


class Forbidden(GraphsvcError):
    status = 403
    code = "forbidden"


class Conflict(GraphsvcError):
    status = 409
    code = "conflict"

    def __init__(
        self, message: str, *, current_version: int | None = None, errors: list[str] | None = None
    ) -> None:
        super().__init__(message, errors=errors)
        self.current_version = current_version


class StoreUnavailable(GraphsvcError):
    status = 503
    code = "store_unavailable"


class ImportFailed(GraphsvcError):
    status = 400
    code = "import_failed"


class ConfigError(GraphsvcError):
    status = 500
    code = "config_error"
