"""The accounts file of earlier versions (``accounts.db``), read once to be taken over by the store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from graphsvc.errors import StoreUnavailable

__all__ = ["read_accounts_file"]


def _table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


def read_accounts_file(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Users (with their password hashes), tokens (by user name) and audit entries of an old file.

    The file is opened read-only and left as it is.
    """
    uri = Path(path).absolute().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            users, tokens, audit = [], [], []
            names: dict[int, str] = {}
            if _table(conn, "users"):
                for uid, name, role, orgs, pw_hash, created, disabled in conn.execute(
                        "SELECT id, username, role, organisations, password_hash, created_at, disabled "
                        "FROM users ORDER BY id"):
                    names[uid] = name
                    users.append({"username": name, "role": role, "organisations": json.loads(orgs),
                                  "password_hash": pw_hash, "created_at": created,
                                  "disabled": bool(disabled)})
            if _table(conn, "api_tokens"):
                for uid, token_hash, name, created in conn.execute(
                        "SELECT user_id, token_hash, name, created_at FROM api_tokens"):
                    if uid in names:
                        tokens.append({"username": names[uid], "token_hash": token_hash, "name": name,
                                       "created_at": created})
            if _table(conn, "audit_log"):
                for at, who, role, action, target, fields, detail in conn.execute(
                        "SELECT at, username, role, action, target, fields, detail FROM audit_log "
                        "ORDER BY id"):
                    audit.append({"at": at, "username": who, "role": role, "action": action,
                                  "target": target, "fields": json.loads(fields), "detail": detail})
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as exc:
        raise StoreUnavailable(f"The accounts file {path} cannot be read: {exc}.") from None
    return {"users": users, "tokens": tokens, "audit": audit}
