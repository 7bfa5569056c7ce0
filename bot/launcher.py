"""Start the four processes, wait for each health check, report one that dies, stop them all.

``make run`` (bot.run) and the end-to-end tests use this same code; tests pass free ports
and their own databases so they never clash with a running ``make run``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import ROOT, Settings, get_settings
from bot.ports import Ports
from bot.production import prepare_production, production_env

VENV_BIN = ROOT / ".venv" / "bin"
RASA_BIN = ROOT / ".venv-rasa" / "bin"
MODEL_PATH = Path(
    os.environ.get("MA_MODEL_PATH") or ROOT / "models" / "merchant-assistant.tar.gz"
)  # MA_MODEL_PATH: a private model an engineer trained with MODEL_OUT=<dir> scripts/train.sh


class StackError(RuntimeError):
    """A process failed to start or died; the message carries its last log lines."""


MULTIPROCESS_METRICS = "PROMETHEUS_MULTIPROC_DIR"


@dataclass
class ProcessSpec:
    """One process of the stack and how to tell it is ready."""

    name: str
    argv: list[str]
    health_url: str
    ready: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    env: dict[str, str] = field(default_factory=dict)  # on top of the stack's


@dataclass
class Running:
    """A started process and its log file."""

    spec: ProcessSpec
    proc: subprocess.Popen[bytes]
    log_path: Path


@dataclass
class Stack:
    """The whole stack on the given ports, with extra environment for every process."""

    ports: Ports
    rasa_token: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    model_path: Path = MODEL_PATH
    running: list[Running] = field(default_factory=list)

    @property
    def gateway_url(self) -> str:
        """The web chat's base URL."""
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def rasa_url(self) -> str:
        """Rasa's base URL (REST channel and HTTP API)."""
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def platform_url(self) -> str:
        """The platform API's base URL."""
        return f"http://127.0.0.1:{self.ports.platform}"

    def settings(self) -> Settings:
        """The settings the processes read: this process's, with the stack's ``env`` on top."""
        fields = Settings.model_fields
        values = {key.lower(): value for key, value in self.env.items() if key.lower() in fields}
        return Settings(**values)  # type: ignore[arg-type]

    @property
    def production(self) -> bool:
        """Whether the stack runs the production profile (PostgreSQL, Redis, workers)."""
        return self.settings().profile == "production"

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa worker's base URL."""
        return [f"http://127.0.0.1:{port}" for port in self.ports.all_rasa]

    def child_env(self) -> dict[str, str]:
        """The environment every process gets: ports, URLs, storage."""
        env = dict(os.environ)
        settings = self.settings()
        env.setdefault("RASA_TRACKER_DB", settings.rasa_tracker_db)
        env.update(
            {
                "GATEWAY_PORT": str(self.ports.gateway),
                "PLATFORM_PORT": str(self.ports.platform),
                "ACTION_PORT": str(self.ports.actions),
                "RASA_PORT": str(self.ports.rasa),
                "PLATFORM_URL": self.platform_url,
                "RASA_URL": self.rasa_url,
                "RASA_URLS": ",".join(self.rasa_urls),
                "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.actions}/webhook",
                "SANIC_HOST": "127.0.0.1",
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if settings.profile == "production":
            env.update(production_env(settings))
        env.update(self.env)
        return env

    def specs(self) -> list[ProcessSpec]:
        """Every process, in start order: the platform, the action servers, the Rasa
        workers (each to one action server, in turn), the gateway."""
        py = str(VENV_BIN / "python")
        p = self.ports
        endpoints = "endpoints-production.yml" if self.production else "endpoints.yml"
        specs = [
            ProcessSpec(
                "platform",
                [
                    py,
                    "-m",
                    "uvicorn",
                    "bot.platform.api:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(p.platform),
                    "--no-access-log",
                ],
                f"{self.platform_url}/healthz",
            )
        ]
        for index, port in enumerate(p.all_actions):
            specs.append(
                ProcessSpec(
                    _numbered("actions", index),
                    [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                    f"http://127.0.0.1:{port}/health",
                    env={"ACTION_PORT": str(port)},
                )
            )
        for index, port in enumerate(p.all_rasa):
            actions = p.all_actions[index % len(p.all_actions)]
            specs.append(
                ProcessSpec(
                    _numbered("rasa", index),
                    [
                        str(RASA_BIN / "rasa"),
                        "run",
                        "--model",
                        str(self.model_path),
                        "--enable-api",
                        "--auth-token",
                        self.rasa_token,
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--credentials",
                        str(ROOT / "credentials.yml"),
                        "--endpoints",
                        str(ROOT / endpoints),
                    ],
                    f"http://127.0.0.1:{port}/status?token={self.rasa_token}",
                    ready=lambda r: r.status_code == 200 and bool(r.json().get("model_id")),
                    env={"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions}/webhook"},
                )
            )
        specs.append(
            ProcessSpec(
                "gateway",
                [
                    py,
                    "-m",
                    "uvicorn",
                    "bot.gateway.app:app",
                    "--host",
                    self.env.get("GATEWAY_HOST", get_settings().gateway_host),
                    "--port",
                    str(p.gateway),
                    "--no-access-log",
                    *self._gateway_workers(),
                ],
                f"{self.gateway_url}/healthz",
                env=self._gateway_metrics(),
            )
        )
        return specs

    def _gateway_workers(self) -> list[str]:
        """uvicorn's ``--workers`` when the stack runs several gateway processes."""
        workers = self.settings().gateway_workers
        return ["--workers", str(workers)] if workers > 1 else []

    def _gateway_metrics(self) -> dict[str, str]:
        """Several gateway processes count into one folder (prometheus-client's
        multiprocess mode), emptied when they start, so any of them serves the sum."""
        if self.settings().gateway_workers < 2:
            return {}
        return {MULTIPROCESS_METRICS: str(self.log_dir.parent / "gateway-metrics")}

    def load_demo(self) -> None:
        """Reset the stack's platform database to the demo data (DATABASE_URL in ``env``)."""
        if self.production:
            prepare_production(self.settings())
        subprocess.run(  # noqa: S603 - our own fixed argv
            [str(VENV_BIN / "python"), "-m", "bot.platform.demo", "--reset"],
            cwd=ROOT,
            env=self.child_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, timeout: float = 240.0, echo: Callable[[str], None] | None = None) -> None:
        """Start every process and return once each answers its health check."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = self.child_env()
        Path(env["RASA_TRACKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
        if self.production:
            prepare_production(self.settings())
        for spec in self.specs():
            self.running.append(self._spawn(spec, env))
        deadline = time.monotonic() + timeout
        for item in self.running:
            started = time.monotonic()
            self._wait_ready(item, deadline)
            if echo:
                echo(f"{item.spec.name} ready ({time.monotonic() - started:.1f}s)")

    def _spawn(self, spec: ProcessSpec, env: dict[str, str]) -> Running:
        if MULTIPROCESS_METRICS in spec.env:  # the processes before these counted there
            folder = Path(spec.env[MULTIPROCESS_METRICS])
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        log_path = self.log_dir / f"{spec.name}.log"
        with log_path.open("ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own fixed argv
                spec.argv,
                cwd=ROOT,
                env={**env, **spec.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return Running(spec, proc, log_path)

    def process(self, name: str) -> Running:
        """The running process called ``name`` (``platform``, ``rasa-2``…)."""
        for item in self.running:
            if item.spec.name == name:
                return item
        raise KeyError(name)

    def kill(self, name: str) -> None:
        """Kill one process at once (SIGKILL to its group), as a crash would."""
        item = self.process(name)
        _signal_group(item.proc, signal.SIGKILL)
        item.proc.wait()

    def restart(self, name: str, env: dict[str, str] | None = None, timeout: float = 240.0) -> None:
        """Stop one process (if it runs) and start it again, with ``env`` over the stack's,
        and wait for its health check; the others keep running."""
        item = self.process(name)
        index = self.running.index(item)
        if item.proc.poll() is None:
            _signal_group(item.proc, signal.SIGTERM)
            try:
                item.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(item.proc, signal.SIGKILL)
                item.proc.wait()
        self.running[index] = self._spawn(item.spec, {**self.child_env(), **(env or {})})
        self._wait_ready(self.running[index], time.monotonic() + timeout)

    def _wait_ready(self, item: Running, deadline: float) -> None:
        with httpx.Client(timeout=2.0) as client:
            while True:
                if item.proc.poll() is not None:
                    raise StackError(self.death_report(item))
                try:
                    if item.spec.ready(client.get(item.spec.health_url)):
                        return
                except (httpx.HTTPError, ValueError):
                    pass
                if time.monotonic() > deadline:
                    raise StackError(
                        f"{item.spec.name} did not answer its health check in time\n"
                        + tail(item.log_path)
                    )
                time.sleep(0.25)

    def dead(self) -> list[Running]:
        """Processes that have exited."""
        return [item for item in self.running if item.proc.poll() is not None]

    def death_report(self, item: Running) -> str:
        """Which process died, its exit code and its last log lines."""
        return (
            f"{item.spec.name} exited with code {item.proc.returncode}; last log lines "
            f"({item.log_path}):\n{tail(item.log_path)}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """Stop every process (SIGTERM to its group, SIGKILL after ``grace`` seconds)."""
        for item in reversed(self.running):
            _signal_group(item.proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for item in self.running:
            try:
                item.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(item.proc, signal.SIGKILL)
                item.proc.wait()
        self.running.clear()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _numbered(name: str, index: int) -> str:
    """``rasa``, ``rasa-2``, ``rasa-3``… (the first keeps the embedded profile's name)."""
    return name if index == 0 else f"{name}-{index + 1}"


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def tail(path: Path, lines: int = 25) -> str:
    """The last ``lines`` lines of a log file."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def require_model(path: Path = MODEL_PATH) -> None:
    """Exit with a clear message when there is no trained model."""
    if not path.exists():
        sys.exit(f"No trained model at {path}: run `make train` first.")
