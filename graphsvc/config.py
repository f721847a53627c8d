"""Settings: one typed object, read from ``GRAPHSVC_*`` environment variables, validated at start."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from graphsvc.errors import ConfigError

__all__ = ["Settings", "default_store_url", "load_settings", "describe_store_url"]

STORE_SCHEMES = ("sqlite", "neo4j", "bolt", "neo4j+s", "bolt+s")
LANGUAGES = ("nl", "en")


def default_data_dir() -> Path:
    """The per-user data directory (e.g. ``~/.local/share/goudkaart``)."""
    return Path(platformdirs.user_data_dir("goudkaart", appauthor=False))


def default_store_url() -> str:
    """The embedded store in the per-user data directory: needs no configuration."""
    return f"sqlite:///{default_data_dir() / 'graph.db'}"


def _setting(env: str, help: str, default: Any = None, **kw: Any) -> Any:
    meta = {"env": env, "help": help}
    if "default_factory" in kw:
        return field(default_factory=kw["default_factory"], metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Settings:
    """All configuration of one Goudkaart process.

    Every field can be set by its environment variable (``GRAPHSVC_`` prefix); the defaults run
    with no configuration at all.
    """

    store: str = _setting(
        "GRAPHSVC_STORE",
        "Where the graph lives: sqlite:///path/graph.db (default, embedded) or neo4j://host:7687",
        default_factory=default_store_url,
    )
    neo4j_user: str = _setting("GRAPHSVC_NEO4J_USER", "Neo4j user name", "neo4j")
    neo4j_password: str = _setting("GRAPHSVC_NEO4J_PASSWORD", "Neo4j password (never logged)", "")
    neo4j_database: str = _setting("GRAPHSVC_NEO4J_DATABASE", "Neo4j database name", "neo4j")
    secret_key: str = _setting(
        "GRAPHSVC_SECRET_KEY",
        "Key that signs session cookies and CSRF tokens; random per process when unset",
        "",
    )
    default_language: str = _setting("GRAPHSVC_LANGUAGE", "Interface language: nl or en", "nl")
    accessibility_contact: str = _setting(
        "GRAPHSVC_ACCESSIBILITY_CONTACT",
        "E-mail address for reporting an accessibility problem (shown on /toegankelijkheid)", "")
    max_upload_mb: int = _setting("GRAPHSVC_MAX_UPLOAD_MB", "Largest accepted upload in MB", 20)
    map_node_limit: int = _setting(
        "GRAPHSVC_MAP_NODE_LIMIT",
        "Above this many nodes the map starts from an aggregated view",
        1500,
    )
    vocab_dir: str = _setting(
        "GRAPHSVC_VOCAB_DIR",
        "Folder with edited vocabulary files (themes, capabilities, rungs); package defaults when unset",
        "",
    )
    accounts_db: str = _setting(
        "GRAPHSVC_ACCOUNTS_DB",
        "An accounts file of an earlier version, taken over into the store once (accounts now live in "
        "the store); default: accounts.db beside an SQLite store, else in the data folder",
        "",
    )
    trusted_proxies: str = _setting(
        "GRAPHSVC_TRUSTED_PROXIES",
        "Reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For is believed",
        "",
    )
    password_checks_per_second: int = _setting(
        "GRAPHSVC_PASSWORD_CHECKS_PER_SECOND",
        "Password checks per second across all app servers; more login attempts get 429",
        10,
    )
    freshness: float | None = _setting(
        "GRAPHSVC_FRESHNESS",
        "Seconds a read request may use the graph revision and login this process saw last (0: ask "
        "the store on every request); default 0 on SQLite, 0.25 on Neo4j",
        None,
    )
    smtp_url: str = _setting(
        "GRAPHSVC_SMTP_URL",
        "Mail server for notifications (smtp://[user:password@]host:port, smtps:// for TLS); no mail when unset",
        "",
    )
    smtp_from: str = _setting("GRAPHSVC_SMTP_FROM", "Sender address of notification mails",
                              "goudkaart@localhost")
    testing: bool = _setting("GRAPHSVC_TESTING", "Test mode (no secure-cookie requirement)", False)

    def __post_init__(self) -> None:
        describe_store_url(self.store)  # validates
        if self.default_language not in LANGUAGES:
            raise ConfigError(
                f"GRAPHSVC_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {self.default_language!r}."
            )
        if self.max_upload_mb < 1:
            raise ConfigError("GRAPHSVC_MAX_UPLOAD_MB must be at least 1.")
        if self.map_node_limit < 10:
            raise ConfigError("GRAPHSVC_MAP_NODE_LIMIT must be at least 10.")
        if self.password_checks_per_second < 1:
            raise ConfigError("GRAPHSVC_PASSWORD_CHECKS_PER_SECOND must be at least 1.")
        if self.freshness is not None and not 0 <= self.freshness <= 1:
            raise ConfigError("GRAPHSVC_FRESHNESS must be between 0 and 1 (seconds).")
        try:
            _check_networks(self.trusted_proxies)
        except ValueError:
            raise ConfigError("GRAPHSVC_TRUSTED_PROXIES must list IP addresses or CIDR blocks, "
                              f"comma-separated, not {self.trusted_proxies!r}.") from None
        if not self.secret_key:
            object.__setattr__(self, "secret_key", secrets.token_hex(32))

    @property
    def accounts_path(self) -> str:
        """Where the accounts file lives (beside an SQLite graph, else in the user data folder)."""
        if self.accounts_db:
            return self.accounts_db
        scheme, location = describe_store_url(self.store)
        if scheme == "sqlite" and location != ":memory:":
            return str(Path(location).with_name("accounts.db"))
        return str(default_data_dir() / "accounts.db")

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def __repr__(self) -> str:  # the password never reaches a log line
        shown = ", ".join(
            f"{f.name}={'***' if f.name in ('neo4j_password', 'secret_key', 'smtp_url') else getattr(self, f.name)!r}"
            for f in fields(self)
        )
        return f"Settings({shown})"


def _check_networks(spec: str) -> None:
    import ipaddress

    for part in spec.split(","):
        if part.strip():
            ipaddress.ip_network(part.strip(), strict=False)


def _convert(raw: str, kind: Any, env: str) -> Any:
    if kind in (bool, "bool"):
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{env} must be true or false, not {raw!r}.")
    if kind in (int, "int"):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{env} must be a whole number, not {raw!r}.") from None
    if kind in (float, "float", "float | None"):
        try:
            return float(raw) if raw.strip() else None
        except ValueError:
            raise ConfigError(f"{env} must be a number, not {raw!r}.") from None
    return raw


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment plus explicit overrides (which win)."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        name = f.metadata["env"]
        if name in env and f.name not in overrides:
            values[f.name] = _convert(env[name], f.type, name)
    known = {f.name for f in fields(Settings)}
    unknown = set(overrides) - known
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)


def describe_store_url(url: str) -> tuple[str, str]:
    """Split a store URL into (scheme, location), raising ConfigError when it is not usable.

    Examples
    --------
    >>> describe_store_url("sqlite:////tmp/graph.db")  # absolute path: four slashes
    ('sqlite', '/tmp/graph.db')
    >>> describe_store_url("bolt://localhost:7687")
    ('bolt', 'localhost:7687')
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in STORE_SCHEMES:
        raise ConfigError(
            f"GRAPHSVC_STORE must start with sqlite:/// or neo4j:// (or bolt://), not {url!r}."
        )
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise ConfigError(
                f"GRAPHSVC_STORE {url!r} is not a valid SQLite URL; write sqlite:///path/to/graph.db."
            )
        path = url[len("sqlite:///") :]
        # sqlite:////abs/path and sqlite:///relative/path both work
        return scheme, path
    if parts.password:
        raise ConfigError(
            "Do not put the Neo4j password in GRAPHSVC_STORE; set GRAPHSVC_NEO4J_PASSWORD instead."
        )
    if not parts.hostname:
        raise ConfigError(f"GRAPHSVC_STORE {url!r} names no Neo4j host.")
    return scheme, f"{parts.hostname}:{parts.port or 7687}"
