"""Every route × every role: allow/deny as declared, and no confidential value where it may not be.

A route that is not in :data:`POLICY` fails the walk: whoever adds a route declares who may use it.
Organisation-specific routes are called for organisation A (``tests/web/walk.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.web.walk import ROLES, World, build_world, rules, url_for_rule

EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"public"}
ORG_A_TEAM = frozenset({"memberA", "coachA", "admin"})
MEMBERS_COACHES = frozenset({"memberA", "memberB", "coachA", "admin"})
FUNDING = frozenset({"coachA", "funder", "admin"})
ADMIN = frozenset({"admin"})
COACHES = frozenset({"coachA", "admin"})

#: (method, endpoint) -> the roles allowed; everyone else gets 401/403 (or the login page)
POLICY: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "static"): EVERYONE,
    ("GET", "pages.home"): EVERYONE,
    ("GET", "pages.actor"): EVERYONE,
    ("GET", "pages.organisations"): EVERYONE,
    ("GET", "pages.accessibility"): EVERYONE,
    ("GET", "pages.glossary"): EVERYONE,
    ("GET", "pages.network_map"): EVERYONE,
    ("GET", "auth.login"): EVERYONE,
    ("POST", "auth.login"): EVERYONE,
    ("POST", "auth.logout"): EVERYONE,
    ("GET", "api.healthz"): EVERYONE,
    ("GET", "api.index"): EVERYONE,
    ("GET", "api.actor"): EVERYONE,
    ("GET", "api.areas"): EVERYONE,
    ("GET", "api.graph"): EVERYONE,
    ("GET", "api.institutions"): EVERYONE,
    ("GET", "api.organisations"): EVERYONE,
    ("GET", "api.organisation"): EVERYONE,
    ("GET", "api.stats"): EVERYONE,
    ("GET", "api.vocabulary"): EVERYONE,
    # meeting: area questions are public; the meeting itself needs a login (or an enabled area)
    ("GET", "meeting_api.area_agenda"): EVERYONE,
    ("GET", "meeting_api.area_brokers"): EVERYONE,
    ("GET", "meeting_api.area_islands"): EVERYONE,
    ("GET", "meeting_api.area_ladder"): EVERYONE,
    ("GET", "meeting_api.area_meeting"): LOGGED_IN,
    ("GET", "meeting_api.session_list"): EVERYONE,
    ("GET", "meeting_api.session_detail"): LOGGED_IN,
    ("POST", "meeting_api.area_public_flag"): ADMIN,
    ("POST", "meeting_api.session_open"): MEMBERS_COACHES,
    ("POST", "meeting_api.session_close"): MEMBERS_COACHES,
    ("POST", "meeting_api.session_record"): MEMBERS_COACHES,
    ("POST", "meeting_api.session_undo"): MEMBERS_COACHES,
    ("GET", "meeting.index"): EVERYONE,
    ("GET", "meeting.meeting"): LOGGED_IN,
    ("GET", "meeting.agenda"): LOGGED_IN,
    ("GET", "meeting.ladder_chart"): LOGGED_IN,  # as the meeting map (public where an admin allowed)
    ("GET", "meeting.offline"): LOGGED_IN,
    ("GET", "meeting.report"): LOGGED_IN,
    ("POST", "meeting.close"): MEMBERS_COACHES,
    ("POST", "meeting.public_flag"): ADMIN,
    ("POST", "meeting.open_session"): MEMBERS_COACHES,
    ("POST", "meeting.record"): MEMBERS_COACHES,
    ("POST", "meeting.undo"): MEMBERS_COACHES,
    # funders
    ("GET", "funders.api_clusters"): FUNDING,
    ("GET", "funders.api_cluster"): FUNDING,
    ("GET", "funders.api_cluster_map"): FUNDING,
    ("GET", "funders.api_dependency"): FUNDING,
    ("GET", "funders.api_flows"): FUNDING,
    ("GET", "funders.api_gaps"): FUNDING,
    ("GET", "funders.api_unfunded"): FUNDING,
    ("GET", "funders.api_organisation_dependency"): FUNDING,
    ("GET", "funders.dashboard"): FUNDING,
    ("GET", "funders.chart"): FUNDING,
    ("GET", "funders.export"): FUNDING,
    # coach workspace: the organisation itself, its coach, admins
    ("GET", "coach.api_index"): MEMBERS_COACHES,
    ("GET", "coach.index"): MEMBERS_COACHES,
    ("GET", "coach.organisation"): ORG_A_TEAM,
    ("GET", "coach.visit_sheet"): ORG_A_TEAM,
    ("GET", "coach.api_funds"): ORG_A_TEAM,
    ("GET", "coach.api_matches"): ORG_A_TEAM,
    ("GET", "coach.api_referrals"): ORG_A_TEAM,
    ("GET", "coach_capacity.api_history"): ORG_A_TEAM,
    ("POST", "coach_capacity.api_record"): ORG_A_TEAM,
    ("POST", "coach_capacity.api_decide"): ORG_A_TEAM,
    ("POST", "coach_capacity.api_positioning"): ORG_A_TEAM,
    ("POST", "coach_capacity.record"): ORG_A_TEAM,
    ("POST", "coach_capacity.decide"): ORG_A_TEAM,
    ("POST", "coach_capacity.positioning"): ORG_A_TEAM,
    # data steward
    ("GET", "data.index"): ADMIN,
    ("GET", "data.duplicates"): ADMIN,
    ("GET", "data.merge_page"): ADMIN,
    ("GET", "data.template_workbook"): ADMIN,
    ("GET", "data.template_sheet"): ADMIN,
    ("GET", "data.api_index"): ADMIN,
    ("GET", "data.api_duplicates"): ADMIN,
    ("GET", "data.api_imports"): ADMIN,
    ("GET", "data.export"): LOGGED_IN,
    ("POST", "data.confirm"): ADMIN,
    ("POST", "data.merge"): ADMIN,
    ("POST", "data.preview"): ADMIN,
    ("POST", "data.api_import"): ADMIN,
    ("POST", "data.api_merge"): ADMIN,
    # privacy and audit (admin), the API document (everyone)
    ("GET", "privacy.audit_page"): ADMIN,
    ("GET", "privacy.api_audit"): ADMIN,
    ("GET", "privacy.privacy_page"): ADMIN,
    ("GET", "privacy.api_person"): ADMIN,
    ("POST", "privacy.erase"): ADMIN,
    ("GET", "openapi.openapi_json"): EVERYONE,
    # change history: the organisation's own team
    ("GET", "history.history_page"): ORG_A_TEAM,
    ("GET", "history.api_history"): ORG_A_TEAM,
    ("POST", "history.undo"): ORG_A_TEAM,
    ("POST", "history.api_undo"): ORG_A_TEAM,
    # accounts: admins manage them; coaches invite members of their organisations; anyone with a
    # valid invitation link sets up an account
    ("GET", "accounts_admin.users_page"): COACHES,
    ("POST", "accounts_admin.create_invitation"): COACHES,
    ("POST", "accounts_admin.user_action"): ADMIN,
    ("GET", "accounts_admin.invitation_page"): EVERYONE,
    ("POST", "accounts_admin.invitation_page"): EVERYONE,
    # the living graph: the profile, the inbox and its answers belong to the organisation's team
    ("GET", "profile.edit"): ORG_A_TEAM,
    ("POST", "profile.edit"): ORG_A_TEAM,
    ("PATCH", "profile.api_update"): ORG_A_TEAM,
    ("GET", "profile.new"): frozenset({"coachA", "admin"}),
    ("POST", "profile.new"): frozenset({"coachA", "admin"}),
    ("POST", "profile.api_create"): frozenset({"coachA", "admin"}),
    ("GET", "inbox.page"): ORG_A_TEAM,
    ("GET", "inbox.api_inbox"): ORG_A_TEAM,
    ("GET", "inbox.api_requests"): ORG_A_TEAM,
    ("GET", "inbox.api_introductions"): ORG_A_TEAM,
    ("POST", "inbox.propose_form"): ORG_A_TEAM,
    ("POST", "inbox.api_propose"): ORG_A_TEAM,
    ("POST", "inbox.introduce_form"): ORG_A_TEAM,
    ("POST", "inbox.api_introduce"): ORG_A_TEAM,
    ("POST", "inbox.answer_request_form"): ORG_A_TEAM,
    ("POST", "inbox.api_accept"): ORG_A_TEAM,
    ("POST", "inbox.api_decline"): ORG_A_TEAM,
    ("POST", "inbox.answer_introduction_form"): ORG_A_TEAM,
    ("POST", "inbox.api_answer_introduction"): ORG_A_TEAM,
    ("PUT", "inbox.api_coach_tie"): frozenset({"coachA", "admin"}),
    ("GET", "profile.proposed_themes"): ADMIN,
    ("GET", "profile.api_proposed_themes"): ADMIN,
    # early signals: an organisation's own list and notes for its team; the aggregates for all
    ("GET", "signals.page"): ORG_A_TEAM,
    ("GET", "signals.api_list"): ORG_A_TEAM,
    ("POST", "signals.api_record"): ORG_A_TEAM,
    ("PATCH", "signals.api_update"): ORG_A_TEAM,
    ("DELETE", "signals.api_delete"): ORG_A_TEAM,
    ("POST", "signals.record"): ORG_A_TEAM,
    ("POST", "signals.update"): ORG_A_TEAM,
    ("POST", "signals.delete"): ORG_A_TEAM,
    ("GET", "signals_area.page"): EVERYONE,
    ("GET", "signals_area.api"): EVERYONE,
    ("GET", "signals_area.heat"): EVERYONE,
    ("GET", "signals_area.export"): EVERYONE,
    ("GET", "signals_area.template"): EVERYONE,
    ("POST", "signals_area.agenda_item"): frozenset({"coachA", "admin"}),
    ("POST", "signals_area.api_agenda_item"): frozenset({"coachA", "admin"}),
    ("POST", "signals_area.api_import"): MEMBERS_COACHES,
    ("POST", "signals_area.import_page"): MEMBERS_COACHES,
}

#: routes that change state are only called for roles that must be refused (no side effects)
READS = ("GET",)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(Path(tmp_path_factory.mktemp("walk")))


def test_every_route_is_declared(world: World) -> None:
    declared = set(POLICY)
    present = {(method, rule.endpoint) for rule, method in rules(world.app)}
    assert not present - declared, f"routes missing from POLICY: {sorted(present - declared)}"
    assert not declared - present, f"POLICY names routes that no longer exist: {sorted(declared - present)}"


def _refused(status: int, location: str) -> bool:
    return status in (401, 403) or (status == 302 and "/login" in location)


def _call(client: FlaskClient, world: World, method: str, url: str, role: str) -> tuple[int, str, str]:
    headers = world.headers(role)
    if role == "public" and method != "GET":
        # a valid CSRF token, so that the refusal comes from the role check, not from CSRF
        from tests.conftest import csrf_token_from

        headers["X-CSRFToken"] = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
    body = response.get_data().decode("utf-8", errors="replace")
    response.close()  # static files keep a file open until closed
    return response.status_code, response.headers.get("Location", ""), body


@pytest.mark.parametrize("role", list(ROLES))
def test_walk_every_route_as(world: World, role: str) -> None:
    client = world.app.test_client()
    problems: list[str] = []
    forbidden = world.forbidden_secrets(role)
    for rule, method in rules(world.app):
        allowed = role in POLICY.get((method, rule.endpoint), frozenset())
        if method not in READS and allowed:
            continue
        url = url_for_rule(rule, world.params)
        status, location, body = _call(client, world, method, url, role)
        if status >= 500:
            problems.append(f"{method} {url}: {status}")
        elif allowed and _refused(status, location):
            problems.append(f"{method} {url}: refused ({status}) but {role} is allowed")
        elif not allowed and not _refused(status, location):
            problems.append(f"{method} {url}: {status} but {role} must be refused")
        leaked = sorted({org for secret, org in forbidden.items() if secret in body})
        if leaked:
            problems.append(f"{method} {url}: leaks confidential data of {leaked[:5]} to {role}")
    assert not problems, "\n".join(problems)
