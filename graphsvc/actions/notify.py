"""Notification mails: a tie request or an introduction waits in an inbox, and where a mail
server is configured (``GRAPHSVC_SMTP_URL``) the organisation's contact persons hear of it.

The mail is plain text in Dutch and English and says only who wants what; the details wait in
the inbox behind a login. Sending never makes the request fail: a server that does not answer
is logged and the inbox still has it.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from typing import Final
from urllib.parse import unquote, urlsplit

from graphsvc.errors import ConfigError
from graphsvc.model import Node

__all__ = ["Mail", "recipients_of", "send_mail", "tie_request_mail", "tie_notice_mail", "introduction_mail"]

log = logging.getLogger(__name__)
TIMEOUT_S: Final = 10


class Mail:
    """One notification: subject and body (plain text), to these addresses."""

    def __init__(self, to: list[str], subject: str, body: str) -> None:
        self.to, self.subject, self.body = to, subject, body


def _plain(text: str, limit: int = 120) -> str:
    # a name ends up in a header: no line breaks or control characters can reach it
    return "".join(c if c.isprintable() else " " for c in text)[:limit]


def recipients_of(organisation: Node) -> list[str]:
    """The e-mail addresses of the organisation's contact persons.

    Examples
    --------
    >>> recipients_of(Node("o", "Organisation", {"name": "O", "contact_persons": [
    ...     {"name": "A", "email": "a@example.org"}, {"name": "B"}]}))
    ['a@example.org']
    """
    people = organisation.props.get("contact_persons")
    found = [str(p.get("email", "")).strip() for p in people if isinstance(p, dict)] \
        if isinstance(people, list) else []
    return [e for e in dict.fromkeys(found) if e and "\n" not in e and "\r" not in e]


def tie_request_mail(to: list[str], source: str, target: str, rung: int, link: str) -> Mail:
    """The mail for a proposed tie from ``source`` to ``target``."""
    return Mail(to, _plain(f"Goudkaart: {source} wil een band met {target}"),
                f"{_plain(source)} stelt een band voor met {_plain(target)} op trede {rung}.\n"
                f"Bevestig of wijs af in de inbox: {link}\n\n"
                f"{_plain(source)} proposes a tie with {_plain(target)} at rung {rung}.\n"
                f"Accept or decline it in the inbox: {link}\n")


def _rung_nl(rung: int) -> str:
    return f"trede {rung}" if rung else "geen band"


def _rung_en(rung: int) -> str:
    return f"rung {rung}" if rung else "no tie"


def tie_notice_mail(to: list[str], source: str, target: str, old_rung: int, rung: int, link: str,
                    *, undo: bool = False) -> Mail:
    """The mail for a tie ``source`` changed without asking ``target`` (a downgrade, an end, an undo).

    Examples
    --------
    >>> mail = tie_notice_mail(["a@example.org"], "Al Amal", "Buurtkamer", 2, 0, "https://x/inbox", undo=True)
    >>> mail.subject
    'Goudkaart: Al Amal heeft jullie band gewijzigd'
    >>> print(mail.body.splitlines()[0])
    Al Amal heeft een wijziging in de band met Buurtkamer ongedaan gemaakt: trede 2 → geen band.
    """
    what_nl = "een wijziging in de band met" if undo else "de band gewijzigd met"
    what_en = "undid a change to the tie with" if undo else "changed the tie with"
    done_nl = "ongedaan gemaakt" if undo else ""
    return Mail(to, _plain(f"Goudkaart: {source} heeft jullie band gewijzigd"),
                f"{_plain(source)} heeft {what_nl} {_plain(target)}"
                f"{' ' + done_nl if done_nl else ''}: {_rung_nl(old_rung)} → {_rung_nl(rung)}.\n"
                f"Bekijk het in de inbox: {link}\n\n"
                f"{_plain(source)} {what_en} {_plain(target)}: {_rung_en(old_rung)} → {_rung_en(rung)}.\n"
                f"See it in the inbox: {link}\n")


def introduction_mail(to: list[str], source: str, target: str, link: str) -> Mail:
    """The mail for an introduction of ``source`` to ``target``."""
    return Mail(to, _plain(f"Goudkaart: kennismaking met {source}"),
                f"{_plain(target)} wordt voorgesteld aan {_plain(source)}.\n"
                f"Neem aan of wijs af in de inbox: {link}\n\n"
                f"{_plain(target)} is introduced to {_plain(source)}.\n"
                f"Accept or decline it in the inbox: {link}\n")


def _server(url: str) -> tuple[type[smtplib.SMTP], str, int, str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("GRAPHSVC_SMTP_URL must look like smtp://host:25 or smtps://host:465.")
    kind = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    return kind, parts.hostname, port, unquote(parts.username or ""), unquote(parts.password or "")


def send_mail(smtp_url: str, sender: str, mails: Iterable[Mail]) -> int:
    """Send the mails through ``smtp_url``; return how many went out (0 without a server).

    Examples
    --------
    >>> send_mail("", "goudkaart@localhost", [Mail(["a@example.org"], "Hoi", "Tekst")])
    0
    """
    wanted = [m for m in mails if m.to]
    if not smtp_url or not wanted:
        return 0
    kind, host, port, user, password = _server(smtp_url)
    sent = 0
    try:
        with kind(host, port, timeout=TIMEOUT_S) as server:
            if user:
                server.login(user, password)
            for mail in wanted:
                message = EmailMessage()
                message["From"], message["To"] = sender, ", ".join(mail.to)
                message["Subject"] = mail.subject
                message.set_content(mail.body)
                server.send_message(message)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Notification mail not sent (%s): %s", type(exc).__name__, exc)
    return sent
