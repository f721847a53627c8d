"""Accounts moving between stores: ``graphsvc migrate`` and the take-over of an old ``accounts.db``."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from graphsvc.store.accounts_base import AccountRecords

__all__ = ["export_accounts", "import_accounts", "take_over_accounts_file"]

log = logging.getLogger(__name__)
Data = dict[str, list[dict[str, Any]]]
_AUDIT_KEY = ("at", "username", "role", "action", "target", "fields", "detail")
_TAKEN_OVER = "accounts_file_taken_over"


def export_accounts(records: AccountRecords) -> Data:
    """Users (with password hashes), API tokens (by user name) and the audit log, oldest first."""
    users = records.users()
    names = {u["id"]: u["username"] for u in users}
    tokens = [{"username": names[t["user_id"]], **{k: t[k] for k in ("token_hash", "name", "created_at")}}
              for t in records.tokens() if t["user_id"] in names]
    audit = list(reversed(records.audit(target=None, limit=2**62, offset=0)))
    return {"users": [{k: v for k, v in u.items() if k != "id"} for u in users], "tokens": tokens,
            "audit": [{k: e[k] for k in _AUDIT_KEY} for e in audit]}


def _audit_key(entry: dict[str, Any]) -> str:
    return json.dumps([sorted(entry["fields"]) if k == "fields" else entry[k] for k in _AUDIT_KEY])


def import_accounts(records: AccountRecords, data: Data) -> dict[str, int]:
    """Add what ``records`` lacks of ``data`` (safe to repeat); how many users, tokens, entries."""
    added = {"users": 0, "tokens": 0, "audit": 0}
    for user in data["users"]:
        if records.user_by_name(user["username"]) is None:
            records.add_user(user)
            added["users"] += 1
    held = {t["token_hash"] for t in records.tokens()}
    for token in data["tokens"]:
        owner = records.user_by_name(token["username"])
        if owner is not None and token["token_hash"] not in held:
            records.add_token({**token, "user_id": owner["id"]})
            added["tokens"] += 1
    have = Counter(_audit_key(e) for e in records.audit(target=None, limit=2**62, offset=0))
    for entry in data["audit"]:
        key = _audit_key(entry)
        if have[key]:
            have[key] -= 1
        else:
            records.append_audit(entry)
            added["audit"] += 1
    return added


def take_over_accounts_file(records: AccountRecords, path: str | Path) -> dict[str, int] | None:
    """Copy an old ``accounts.db`` into the store once (marked in the store); None when nothing to do."""
    from graphsvc.store.accounts_file import read_accounts_file

    if not Path(path).is_file() or records.mark(_TAKEN_OVER) is not None:
        return None
    added = import_accounts(records, read_accounts_file(path))
    records.set_mark(_TAKEN_OVER, str(Path(path).absolute()))
    log.warning("Took over the accounts file %s into the store: %d users, %d API tokens, %d audit "
                "entries; the file is no longer used.", path, added["users"], added["tokens"],
                added["audit"])
    return added
