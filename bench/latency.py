"""Latency benchmark: the full stack over socket.io against bare Rasa REST, same model.

Starts its own stack (free ports, fresh demo data), then prints:
  * N concurrent fresh web-chat conversations of ~10 turns for T seconds:
    p50/p95/p99 latency and messages per second;
  * the same against Rasa's /webhooks/rest/webhook with the same metadata;
  * the ratio of the two p95s (aim: <= 1.3 at 20 conversations);
  * turn 5 against turn 200 of one long conversation (aim: <= 1.2).

Usage: .venv/bin/python bench/latency.py [--concurrency 20] [--seconds 30] [--long 200]
It prints figures; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import get_settings  # noqa: E402
from bot.devtools.webchat_client import WebChatUser  # noqa: E402
from bot.identity import Identity, sign_identity, sign_session  # noqa: E402
from bot.isolated_stacks import isolated_stack  # noqa: E402

SCRIPT = [
    "hi",
    "are my integrations ok?",
    "which stores are disconnected?",
    "is DoorDash working at Downtown?",
    "what can you do?",
    "is Grubhub ok?",
    "thanks",
    "are my Uber Eats stores disconnected?",
    "any problems at Riverside?",
    "bye",
]


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    if len(samples) < 2:
        value = samples[0] * 1000 if samples else float("nan")
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def report(name: str, samples: list[float], seconds: float) -> float:
    """Print one line of figures; return p95 in ms."""
    p50, p95, p99 = percentiles(samples)
    rate = len(samples) / seconds if seconds else 0.0
    print(
        f"{name:<22} n={len(samples):<6} p50={p50:7.1f} ms  p95={p95:7.1f} ms  "
        f"p99={p99:7.1f} ms  {rate:6.1f} msg/s",
        flush=True,
    )
    return p95


async def full_stack(url: str, user_id: int, concurrency: int, seconds: float) -> list[float]:
    """Fresh conversations through the gateway, ``concurrency`` at a time."""
    secret = get_settings().session_secret.get_secret_value()
    samples: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        while time.monotonic() < deadline:
            user = WebChatUser(url, sign_session(user_id, secret, 3600))
            await user.connect()
            for text in SCRIPT:
                if time.monotonic() >= deadline:
                    break
                samples.append((await user.say(text)).seconds)
            await user.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return samples


async def bare_rasa(url: str, user_id: int, concurrency: int, seconds: float) -> list[float]:
    """The same conversations straight to Rasa's REST webhook, with the same metadata."""
    settings = get_settings()
    samples: list[float] = []
    deadline = time.monotonic() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.monotonic() < deadline:
            sender = f"web:{user_id}:{uuid.uuid4().hex[:16]}"
            for text in SCRIPT:
                if time.monotonic() >= deadline:
                    break
                identity = sign_identity(
                    Identity(user_id, sender, "web"),
                    settings.identity_secret.get_secret_value(),
                    settings.identity_ttl_seconds,
                )
                body = {
                    "sender": sender,
                    "message": text,
                    "metadata": {"identity": identity, "channel": "web"},
                }
                started = time.perf_counter()
                response = await client.post(f"{url}/webhooks/rest/webhook", json=body)
                response.raise_for_status()
                samples.append(time.perf_counter() - started)

    async with httpx.AsyncClient(timeout=120) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return samples


async def long_conversation(url: str, user_id: int, turns: int) -> list[float]:
    """One conversation of ``turns`` messages; per-turn latency."""
    secret = get_settings().session_secret.get_secret_value()
    user = WebChatUser(url, sign_session(user_id, secret, 3600))
    await user.connect()
    samples = [(await user.say(SCRIPT[i % len(SCRIPT)])).seconds for i in range(turns)]
    await user.close()
    return samples


def window(samples: list[float], turn: int, width: int = 10) -> float:
    """Median latency (ms) of the ``width`` turns ending at 1-based ``turn``'s cycle position."""
    start = max(0, turn - width)
    return statistics.median(samples[start:turn]) * 1000


async def run(args: argparse.Namespace) -> None:
    """Start a stack, measure, print."""
    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        stack = isolated_stack(Path(tmp), settings.rasa_token.get_secret_value())
        started = time.monotonic()
        stack.start()
        print(f"stack up in {time.monotonic() - started:.1f}s", flush=True)
        try:
            headers = {"Authorization": f"Bearer {settings.internal_token.get_secret_value()}"}
            me = httpx.get(
                f"{stack.platform_url}/internal/users",
                params={"email": "olivia@demo-kitchen.test"},
                headers=headers,
            ).json()
            uid = int(me["id"])
            await full_stack(stack.gateway_url, uid, 2, 3)  # warm-up
            print(f"\n{args.concurrency} concurrent conversations, {args.seconds:.0f}s each run")
            full = await full_stack(stack.gateway_url, uid, args.concurrency, args.seconds)
            full_p95 = report("full stack (socket.io)", full, args.seconds)
            bare = await bare_rasa(stack.rasa_url, uid, args.concurrency, args.seconds)
            bare_p95 = report("bare Rasa REST", bare, args.seconds)
            print(f"p95 ratio full/bare: {full_p95 / bare_p95:.2f}  (aim <= 1.30)")
            long = await long_conversation(stack.gateway_url, uid, args.long)
            early, late = window(long, 10), window(long, args.long)
            print(
                f"\nlong conversation: turns 1-10 median {early:.1f} ms, turns "
                f"{args.long - 9}-{args.long} median {late:.1f} ms, ratio {late / early:.2f} "
                "(aim <= 1.20)"
            )
        finally:
            stack.stop()


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--long", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
