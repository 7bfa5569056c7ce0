"""Load benchmark of the production profile (PostgreSQL, Redis, several Rasa workers).

Starts its own production stack (databases of its own on this machine's PostgreSQL,
dropped afterwards), then prints, in two modes:

  (a) ``--users`` concurrent web-chat conversations (default 100) of mixed, realistic
      scenarios from DEMO.md's data in English, French and Spanish, each user pausing
      2-5 s between turns, for ``--minutes`` (default 5): messages per second,
      p50/p95/p99 latency, errors, each process's memory at the start and the end
      (aims on 2 cores: p95 < 1 s, memory growth < 10 %), and the CPU time each
      process (and PostgreSQL, Redis, this load generator) spent per answered message;
  (b) the most messages per second the stack sustains with p95 under 1 s (concurrency
      raised step by step, no pauses), next to one bare Rasa worker of the same stack
      (same model, same metadata, its REST webhook) in the same run.

Usage: .venv/bin/python bench/load.py [--mode a|b|both] [--minutes 5] [--users 100]
       [--rasa-workers 0 (one per core)] [--action-workers 1] [--step-seconds 20]
It prints figures; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import get_settings  # noqa: E402
from bot.devtools.webchat_client import WebChatUser  # noqa: E402
from bot.identity import Identity, sign_identity, sign_session  # noqa: E402
from bot.isolated_stacks import drop_isolated_databases, isolated_stack  # noqa: E402
from bot.launcher import Stack  # noqa: E402

P95_LIMIT = 1.0  # seconds, mode (b)

SCENARIOS: dict[str, list[list[str]]] = {
    "olivia@demo-kitchen.test": [  # en
        ["hi", "are my integrations ok?", "which stores are disconnected?", "thanks"],
        ["is DoorDash working at Downtown?", "is Grubhub ok?", "bye"],
        ["why was order F-7002 not dispatched?", "and F-7004?", "thanks"],
        ["what can you do?", "any problems at Riverside?", "ok thanks"],
    ],
    "marc@demo-kitchen.test": [  # fr
        ["bonjour", "est-ce que mes intégrations fonctionnent ?", "merci"],
        ["quels magasins sont déconnectés ?", "et Deliveroo ?", "merci beaucoup"],
        ["pourquoi la commande F-7003 n'a pas été envoyée ?", "merci"],
    ],
    "sofia@demo-kitchen.test": [  # es
        ["hola", "¿funcionan mis integraciones?", "gracias"],
        ["¿qué tiendas están desconectadas?", "¿y Uber Eats?", "gracias"],
        ["¿por qué no se envió el pedido F-7005?", "gracias"],
    ],
}


@dataclass
class Figures:
    """Latencies (seconds) and errors of one run."""

    samples: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    def percentile(self, p: int) -> float:
        """The ``p``-th percentile in ms (nan without samples)."""
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000

    @property
    def rate(self) -> float:
        """Messages answered per second."""
        return len(self.samples) / self.seconds if self.seconds else 0.0

    def line(self, name: str) -> str:
        """One printed line."""
        return (
            f"{name:<28} n={len(self.samples):<6} {self.rate:6.1f} msg/s  "
            f"p50={self.percentile(50):7.1f} ms  p95={self.percentile(95):7.1f} ms  "
            f"p99={self.percentile(99):7.1f} ms  errors={self.errors}"
        )


def user_ids(stack: Stack) -> dict[str, int]:
    """DEMO.md's users' ids, asked of the stack's platform."""
    token = get_settings().internal_token.get_secret_value()
    headers = {"Authorization": f"Bearer {token}"}
    ids: dict[str, int] = {}
    for email in SCENARIOS:
        answer = httpx.get(
            f"{stack.platform_url}/internal/users", params={"email": email}, headers=headers
        )
        answer.raise_for_status()
        ids[email] = int(answer.json()["id"])
    return ids


@dataclass
class Usage:
    """One process's resident memory (MiB) and CPU time used so far (seconds)."""

    memory: float
    cpu: float


def _usage(processes: list[psutil.Process]) -> Usage:
    memory = sum(p.memory_info().rss for p in processes) / 2**20
    cpu = sum(sum(p.cpu_times()[:2]) for p in processes)
    return Usage(memory, cpu)


def usage(stack: Stack) -> dict[str, Usage]:
    """Each process's memory and CPU (with its children); then the machine's PostgreSQL
    and Redis servers and this load generator, whose CPU counts against the same cores."""
    found: dict[str, Usage] = {}
    for item in stack.running:
        try:
            process = psutil.Process(item.proc.pid)
            found[item.spec.name] = _usage([process, *process.children(recursive=True)])
        except psutil.Error:
            found[item.spec.name] = Usage(float("nan"), float("nan"))
    for name in ("postgres", "redis-server"):
        servers = [p for p in psutil.process_iter(["name"]) if p.info["name"] == name]
        with contextlib.suppress(psutil.Error):
            found[f"({name})"] = _usage(servers)
    found["(load generator)"] = _usage([psutil.Process()])
    return found


async def conversations(
    url: str, ids: dict[str, int], users: int, seconds: float, pause: tuple[float, float]
) -> Figures:
    """``users`` web-chat users, each one conversation after another, for ``seconds``."""
    secret = get_settings().session_secret.get_secret_value()
    figures = Figures()
    deadline = time.monotonic() + seconds
    rng = random.Random(7)

    async def user(index: int) -> None:
        email = list(SCENARIOS)[index % len(SCENARIOS)]
        while time.monotonic() < deadline:
            chat = WebChatUser(url, sign_session(ids[email], secret, 3600))
            try:
                await chat.connect()
                for text in rng.choice(SCENARIOS[email]):
                    if time.monotonic() >= deadline:
                        break
                    turn = await chat.say(text, timeout=30)
                    if not turn.messages:
                        figures.errors += 1
                    else:
                        figures.samples.append(turn.seconds)
                    if pause[1]:
                        await asyncio.sleep(rng.uniform(*pause))
            except (asyncio.TimeoutError, OSError, Exception):  # noqa: BLE001 - counted
                figures.errors += 1
            finally:
                await chat.close()

    started = time.monotonic()
    await asyncio.gather(*(user(i) for i in range(users)))
    figures.seconds = time.monotonic() - started
    return figures


async def bare_rasa(url: str, ids: dict[str, int], users: int, seconds: float) -> Figures:
    """The same scenarios straight to one Rasa worker's REST webhook, same metadata."""
    settings = get_settings()
    figures = Figures()
    deadline = time.monotonic() + seconds
    rng = random.Random(7)

    async def user(client: httpx.AsyncClient, index: int) -> None:
        email = list(SCENARIOS)[index % len(SCENARIOS)]
        while time.monotonic() < deadline:
            sender = f"web:{ids[email]}:{uuid.uuid4().hex[:16]}"
            for text in rng.choice(SCENARIOS[email]):
                if time.monotonic() >= deadline:
                    break
                identity = sign_identity(
                    Identity(ids[email], sender, "web"),
                    settings.identity_secret.get_secret_value(),
                    settings.identity_ttl_seconds,
                )
                body = {
                    "sender": sender,
                    "message": text,
                    "metadata": {"identity": identity, "channel": "web"},
                }
                began = time.perf_counter()
                try:
                    answer = await client.post(f"{url}/webhooks/rest/webhook", json=body)
                    answer.raise_for_status()
                    figures.samples.append(time.perf_counter() - began)
                except httpx.HTTPError:
                    figures.errors += 1

    started = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(user(client, i) for i in range(users)))
    figures.seconds = time.monotonic() - started
    return figures


async def sustained(run_step: object, step_seconds: float, name: str) -> Figures | None:
    """Raise concurrency until p95 reaches :data:`P95_LIMIT`; the best step under it."""
    best: Figures | None = None
    for users in (2, 4, 8, 12, 16, 24, 32, 48, 64):
        figures = await run_step(users, step_seconds)  # type: ignore[operator]
        print(figures.line(f"{name} x{users}"), flush=True)
        if figures.errors or figures.percentile(95) >= P95_LIMIT * 1000:
            break
        if best is None or figures.rate > best.rate:
            best = figures
    return best


def print_usage(start: dict[str, Usage], end: dict[str, Usage], messages: int) -> None:
    """Memory at start and end with the growth, and CPU per answered message, per process."""
    print("\nprocess                  memory MiB: start      end   growth    CPU ms/msg")
    total = 0.0
    for name, first in start.items():
        last = end.get(name, Usage(float("nan"), float("nan")))
        growth = (last.memory - first.memory) / first.memory * 100
        cpu = (last.cpu - first.cpu) * 1000 / messages if messages else float("nan")
        total += cpu
        print(f"  {name:<20} {first.memory:14.1f} {last.memory:8.1f} {growth:6.1f} % {cpu:11.1f}")
    print(f"  {'all':<20} {'':14} {'':8} {'':8} {total:11.1f}")


async def run(args: argparse.Namespace) -> None:
    """Start the production stack, measure, print, stop."""
    settings = get_settings()
    workers = args.rasa_workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        stack = isolated_stack(
            workdir,
            settings.rasa_token.get_secret_value(),
            production=True,
            rasa_workers=workers,
            action_workers=args.action_workers,
        )
        began = time.monotonic()
        stack.start(timeout=600)
        print(
            f"production stack up in {time.monotonic() - began:.1f}s: {workers} Rasa workers, "
            f"{args.action_workers} action servers, PostgreSQL, Redis",
            flush=True,
        )
        try:
            ids = user_ids(stack)
            await conversations(stack.gateway_url, ids, 3, 5, (0, 0))  # warm-up
            if args.mode in ("a", "both"):
                start = usage(stack)
                print(f"\n(a) {args.users} users, pauses 2-5 s, {args.minutes:g} min", flush=True)
                figures = await conversations(
                    stack.gateway_url, ids, args.users, args.minutes * 60, (2.0, 5.0)
                )
                print(figures.line("full stack"), flush=True)
                print_usage(start, usage(stack), len(figures.samples))
            if args.mode in ("b", "both"):
                print(f"\n(b) most msg/s with p95 < {P95_LIMIT:g} s", flush=True)

                async def full(users: int, seconds: float) -> Figures:
                    return await conversations(stack.gateway_url, ids, users, seconds, (0, 0))

                async def bare(users: int, seconds: float) -> Figures:
                    return await bare_rasa(stack.rasa_urls[0], ids, users, seconds)

                best_full = await sustained(full, args.step_seconds, "full stack")
                best_bare = await sustained(bare, args.step_seconds, "bare Rasa (1 worker)")
                full_rate = best_full.rate if best_full else 0.0
                bare_rate = best_bare.rate if best_bare else 0.0
                print(
                    f"sustained with p95 < 1 s: full stack {full_rate:.1f} msg/s, "
                    f"bare Rasa {bare_rate:.1f} msg/s"
                    + (f", ratio {full_rate / bare_rate:.2f}" if bare_rate else ""),
                    flush=True,
                )
        finally:
            stack.stop()
            drop_isolated_databases(workdir)


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("a", "b", "both"), default="both")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rasa-workers", type=int, default=0)
    parser.add_argument("--action-workers", type=int, default=1)
    parser.add_argument("--step-seconds", type=float, default=20.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
