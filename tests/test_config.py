"""Settings: defaults that need no configuration, one plain sentence for each bad value."""

from __future__ import annotations

import pytest

from graphsvc.config import load_settings
from graphsvc.errors import ConfigError


def test_defaults_need_no_configuration() -> None:
    settings = load_settings(environ={})
    assert settings.store.startswith("sqlite:///") and settings.store.endswith("graph.db")
    assert settings.default_language == "nl"
    assert len(settings.secret_key) >= 32


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GRAPHSVC_STORE": "mysql://x"}, "must start with sqlite:/// or neo4j://"),
        ({"GRAPHSVC_STORE": "sqlite://"}, "must start with|not a valid SQLite URL"),
        ({"GRAPHSVC_STORE": "neo4j://neo4j:secret@localhost"}, "Do not put the Neo4j password"),
        ({"GRAPHSVC_LANGUAGE": "fr"}, "GRAPHSVC_LANGUAGE must be one of nl, en"),
        ({"GRAPHSVC_MAX_UPLOAD_MB": "lots"}, "must be a whole number"),
        ({"GRAPHSVC_TESTING": "perhaps"}, "must be true or false"),
    ],
)
def test_bad_settings_give_one_plain_sentence(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)


def test_password_never_appears_in_repr() -> None:
    settings = load_settings(environ={"GRAPHSVC_NEO4J_PASSWORD": "hunter22-secret"})
    assert "hunter22-secret" not in repr(settings)
