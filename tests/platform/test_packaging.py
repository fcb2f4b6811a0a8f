"""The production image and the compose stack, checked as far as can be without a container engine.

* requirements.lock pins every runtime dependency of pyproject.toml (with hashes), and neither
  the embedded PostgreSQL nor a development tool;
* the Dockerfile installs that lock in a layer of its own before it copies the application;
* docker-compose.yml starts PostgreSQL, the migrations once, the API and the dispatcher from
  one image, with a dev identity by default.
"""

import re
import tomllib
from typing import Any

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.config import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pyproject() -> dict[str, Any]:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def locked() -> dict[str, str]:
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    return {canonicalize_name(m[1]): m[2] for line in text.splitlines() if (m := PIN.match(line))}


def test_lock_pins_every_runtime_dependency_with_hashes() -> None:
    pins = locked()
    for dependency in pyproject()["project"]["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from requirements.lock (make lock)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
    text = (PROJECT_ROOT / "requirements.lock").read_text()
    assert text.count("--hash=sha256:") >= len(pins)


def test_lock_leaves_out_the_embedded_database_and_the_dev_tools() -> None:
    pins = locked()
    extras = pyproject()["project"]["optional-dependencies"]
    for dependency in extras["embedded"] + extras["dev"]:
        assert canonicalize_name(Requirement(dependency).name) not in pins, dependency


def dockerfile_instructions() -> list[str]:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    lines = [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    return [" ".join(line.split()) for line in lines]


def test_dockerfile_installs_the_lock_in_its_own_layer_before_the_app() -> None:
    steps = dockerfile_instructions()

    def index(prefix: str) -> int:
        return next(i for i, step in enumerate(steps) if step.startswith(prefix))

    copy_lock = index("COPY requirements.lock")
    install_lock = index("RUN pip install --require-hashes --no-deps -r requirements.lock")
    copy_app = index("COPY app ")
    install_app = index("RUN pip install --no-deps .")
    assert copy_lock < install_lock < copy_app < install_app
    assert not any("embedded" in step for step in steps if step.startswith("RUN"))
    assert any(step.startswith("ENV") and "PERSPECTIEF_ENV=prod" in step for step in steps)
    assert "perspectief serve --migrate" in steps[-1] and steps[-1].startswith("CMD")


def test_compose_runs_migrations_once_then_the_api_and_the_dispatcher() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "api", "dispatcher"}
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, (name, dependency)
            assert condition["condition"] in ("service_healthy", "service_completed_successfully")
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["migrate"]["command"] == ["perspectief", "migrate"]
    for name, command in (("api", "serve"), ("dispatcher", "dispatch")):
        service = services[name]
        assert service["command"][:2] == ["perspectief", command]
        assert service["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    for name in ("migrate", "api", "dispatcher"):
        environment = services[name]["environment"]
        assert "@db:5432/" in environment["PERSPECTIEF_DATABASE_URL"]
        # Without an identity provider the stack runs in dev and accepts dev tokens.
        assert environment["PERSPECTIEF_ENV"] == "${PERSPECTIEF_ENV:-dev}"
        assert len(environment["PERSPECTIEF_DEV_JWT_SECRET"].split(":-", 1)[1].rstrip("}")) >= 32
