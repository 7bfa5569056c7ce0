"""PROFILE=production: what it starts, and what Rasa's endpoints-production.yml gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.launcher import Stack
from bot.ports import Ports

PRODUCTION = {"PROFILE": "production"}


def _stack(env: dict[str, str], rasa_workers: int = 3, action_workers: int = 2) -> Stack:
    ports = Ports(
        8080, 8081, 5055, 5005, (5056,)[: action_workers - 1], (5006, 5007)[: rasa_workers - 1]
    )
    return Stack(ports, "token", Path("/tmp/log"), env=env)


def test_production_defaults_are_this_machines_postgresql_and_redis() -> None:
    settings = Settings(_env_file=None, profile="production")
    assert settings.database_url.startswith("postgresql+psycopg://postgres@127.0.0.1:5432/")
    assert settings.rasa_tracker_url.startswith("postgresql://postgres@127.0.0.1:5432/")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    chosen = Settings(_env_file=None, profile="production", redis_url="redis://cache:6380/2")
    assert chosen.redis_url == "redis://cache:6380/2"
    embedded = Settings(_env_file=None)
    assert embedded.database_url.startswith("sqlite:///") and embedded.redis_url == ""


def test_every_worker_is_started_and_rasa_workers_share_the_action_servers() -> None:
    stack = _stack(PRODUCTION)
    specs = stack.specs()
    assert [spec.name for spec in specs] == [
        "platform", "actions", "actions-2", "rasa", "rasa-2", "rasa-3", "gateway",
    ]  # fmt: skip
    rasa = [spec for spec in specs if spec.name.startswith("rasa")]
    assert [spec.env["ACTION_ENDPOINT_URL"] for spec in rasa] == [
        "http://127.0.0.1:5055/webhook",
        "http://127.0.0.1:5056/webhook",
        "http://127.0.0.1:5055/webhook",
    ]
    assert all(spec.argv[-1].endswith("endpoints-production.yml") for spec in rasa)
    assert [spec.argv[spec.argv.index("--port") + 1] for spec in rasa] == ["5005", "5006", "5007"]


def test_the_gateway_knows_every_rasa_worker_and_rasa_its_stores() -> None:
    env = _stack(
        {**PRODUCTION, "RASA_TRACKER_URL": "postgresql+psycopg://ma:s3cret@db:5433/tracker",
         "REDIS_URL": "redis://:pw@cache:6380/3"}
    ).child_env()  # fmt: skip
    assert env["RASA_URLS"] == ("http://127.0.0.1:5005,http://127.0.0.1:5006,http://127.0.0.1:5007")
    assert env["RASA_TRACKER_STORE_URL"] == "postgresql://ma:s3cret@db:5433/tracker"  # psycopg2
    assert (env["RASA_LOCK_HOST"], env["RASA_LOCK_PORT"], env["RASA_LOCK_DB"]) == (
        "cache",
        "6380",
        "3",
    )
    assert env["RASA_LOCK_PASSWORD"] == "pw" and env["RASA_LOCK_PREFIX"].isalnum()


def test_the_embedded_profile_is_one_of_each_on_sqlite() -> None:
    stack = _stack({}, rasa_workers=1, action_workers=1)
    specs = stack.specs()
    assert [spec.name for spec in specs] == ["platform", "actions", "rasa", "gateway"]
    assert specs[2].argv[-1].endswith("/endpoints.yml")
    assert "RASA_TRACKER_STORE_URL" not in stack.child_env() and not stack.production


def test_production_runs_two_gateway_processes_counting_into_one_folder() -> None:
    [gateway] = [spec for spec in _stack(PRODUCTION).specs() if spec.name == "gateway"]
    assert gateway.argv[gateway.argv.index("--workers") + 1] == "2"
    assert gateway.env["PROMETHEUS_MULTIPROC_DIR"].endswith("/gateway-metrics")
    [single] = [spec for spec in _stack({}).specs() if spec.name == "gateway"]
    assert "--workers" not in single.argv and single.env == {}


def test_several_gateway_processes_need_redis_and_no_telegram_polling() -> None:
    with pytest.raises(ValidationError, match="REDIS_URL"):
        Settings(_env_file=None, gateway_workers=2)
    with pytest.raises(ValidationError, match="TELEGRAM_MODE"):
        Settings(_env_file=None, profile="production", telegram_mode="polling")
    one = Settings(_env_file=None, profile="production", gateway_workers=1, telegram_mode="polling")
    assert one.gateway_workers == 1
