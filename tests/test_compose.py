"""The deployment files, checked without Docker: services, health checks, volumes, no secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_the_services_and_their_health_checks() -> None:
    services = _compose()["services"]
    assert set(services) == {"neo4j", "app", "proxy", "backup"}
    for name, service in services.items():
        assert "test" in service.get("healthcheck", {}), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name
    assert services["neo4j"]["image"].startswith("neo4j:5.26")
    assert services["proxy"]["image"].startswith("caddy:")


def test_the_app_scales_only_the_proxy_is_published_and_only_on_localhost() -> None:
    services = _compose()["services"]
    app = services["app"]
    # --scale app=3 needs no fixed host port and no container name
    assert "ports" not in app and "container_name" not in app
    assert "ports" not in services["neo4j"], "Bolt and the browser port stay inside the network"
    assert services["proxy"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "dynamic a app 8000" in (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    override = yaml.safe_load((ROOT / "deploy" / "neo4j-ports.yml").read_text(encoding="utf-8"))
    assert all(p.startswith("127.0.0.1:") for p in override["services"]["neo4j"]["ports"])


def test_every_stateful_path_is_on_a_named_volume() -> None:
    compose = _compose()
    volumes = set(compose["volumes"])
    stateful = {"neo4j": ["/data", "/logs"], "backup": ["/backups"], "proxy": ["/data"]}
    for service, paths in stateful.items():
        mounts = {m.split(":")[1]: m.split(":")[0] for m in compose["services"][service]["volumes"]}
        for path in paths:
            assert mounts.get(path) in volumes, f"{service}:{path} is not on a named volume"
    assert not compose["services"]["app"].get("volumes"), "the app containers hold no state"


def test_backups_run_nightly_with_a_rotation() -> None:
    backup = _compose()["services"]["backup"]
    script = " ".join(backup["command"])
    assert "graphsvc backup --into /backups --keep-daily 7 --keep-weekly 4" in script
    assert backup["environment"]["GRAPHSVC_STORE"] == "neo4j://neo4j:7687"


def test_no_secret_is_written_in_the_files() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.search(r"(PASSWORD|SECRET|AUTH)\w*:", line):
            assert "${" in line, f"a secret written into docker-compose.yml: {line.strip()}"
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert all("change-me" in v for v in re.findall(r"=(.*)", example))


def test_the_image_build_leaves_out_what_it_does_not_need() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for entry in (".venv", ".git", "neo4j-server/", "*.db", ".env"):
        assert entry in ignored
