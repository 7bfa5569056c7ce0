"""Where the stack's processes listen: the default ports, or free ones for tests and
benchmarks (the production profile's further Rasa workers and action servers too)."""

from __future__ import annotations

import socket
from dataclasses import dataclass


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    """Where each process listens (the production profile's further workers after the
    first Rasa worker and the first action server)."""

    gateway: int = 8080
    platform: int = 8081
    actions: int = 5055
    rasa: int = 5005
    more_actions: tuple[int, ...] = ()
    more_rasa: tuple[int, ...] = ()

    @classmethod
    def free(cls, rasa_workers: int = 1, action_workers: int = 1) -> Ports:
        """Free ports for every process, for tests and benchmarks."""
        return cls(
            free_port(),
            free_port(),
            free_port(),
            free_port(),
            tuple(free_port() for _ in range(action_workers - 1)),
            tuple(free_port() for _ in range(rasa_workers - 1)),
        )

    @property
    def all_actions(self) -> tuple[int, ...]:
        """Every action server's port."""
        return (self.actions, *self.more_actions)

    @property
    def all_rasa(self) -> tuple[int, ...]:
        """Every Rasa worker's port."""
        return (self.rasa, *self.more_rasa)
