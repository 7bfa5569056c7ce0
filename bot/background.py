"""A loop a process runs beside its server (the alert dispatcher, the retention job):
started in the app's lifespan, stopped after its current pass."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod


class BackgroundLoop(ABC):
    """``run()`` as a task of the current event loop until :meth:`stop`."""

    task_name = "background-loop"

    def __init__(self) -> None:
        """Not started yet."""
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @abstractmethod
    async def run(self) -> None:
        """Work until ``self._stop`` is set."""

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when stopped meanwhile."""
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run` as a task of the current event loop (an app's lifespan)."""
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self.run(), name=self.task_name)
        return self._task

    async def stop(self) -> None:
        """Finish the current pass and stop."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
