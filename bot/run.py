"""``make run``: start the stack on the configured ports and keep it up until Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from bot.config import Settings, get_settings
from bot.launcher import Stack, StackError, require_model
from bot.ports import Ports


def configured_ports(settings: Settings) -> Ports:
    """The ports of the settings; the production profile's further workers on the ports
    after ACTION_PORT and RASA_PORT (RASA_WORKERS 0: one Rasa worker per core)."""
    if settings.profile != "production":
        return Ports(
            settings.gateway_port, settings.platform_port, settings.action_port, settings.rasa_port
        )
    rasa_workers = settings.rasa_workers or os.cpu_count() or 1
    return Ports(
        settings.gateway_port,
        settings.platform_port,
        settings.action_port,
        settings.rasa_port,
        tuple(settings.action_port + i for i in range(1, settings.action_workers)),
        tuple(settings.rasa_port + i for i in range(1, rasa_workers)),
    )


def main() -> int:
    """Run every process; print the web chat URL once they all answer."""
    settings = get_settings()
    require_model()
    ports = configured_ports(settings)
    stack = Stack(ports, settings.rasa_token.get_secret_value(), Path(settings.log_dir))

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start(echo=lambda line: print(line, flush=True))
        if settings.profile == "production":
            print(
                f"Production profile: {len(ports.all_rasa)} Rasa workers, "
                f"{len(ports.all_actions)} action servers, PostgreSQL and Redis",
                flush=True,
            )
        print(f"Web chat: http://127.0.0.1:{ports.gateway}/", flush=True)
        print(f"Support console: http://127.0.0.1:{ports.gateway}/console", flush=True)
        print(f"Logs in {settings.log_dir}. Ctrl-C stops everything.", flush=True)
        while True:
            dead = stack.dead()
            if dead:
                for item in dead:
                    print(stack.death_report(item), file=sys.stderr, flush=True)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    except StackError as exc:
        print(f"Could not start the stack: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        print("Stopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
