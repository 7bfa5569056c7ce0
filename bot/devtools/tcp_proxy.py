"""A TCP proxy a test controls, to make PostgreSQL or Redis unreachable without touching
the machine's own server: clients connect to the proxy's port; :meth:`TcpProxy.cut`
drops every open connection and refuses new ones (accepted, then closed at once) until
:meth:`TcpProxy.restore`.

Runs its own event loop in a thread, so synchronous tests and processes of a stack
(which only see its port) can use it alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

CHUNK = 65536


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``upstream_host:upstream_port`` until cut."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        """Prepare the proxy (:meth:`start` opens its port)."""
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._cut = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self.connections = 0  # accepted and forwarded, for tests' assertions

    def start(self) -> TcpProxy:
        """Listen on a free port of 127.0.0.1 (``self.port``)."""
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    def cut(self) -> None:
        """Drop every open connection; refuse new ones until :meth:`restore`."""
        asyncio.run_coroutine_threadsafe(self._drop_all(), self._loop).result(5)

    def restore(self) -> None:
        """Forward again."""
        self._cut = False

    def stop(self) -> None:
        """Close the port and every connection; stop the thread."""
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @contextlib.contextmanager
    def cut_for_a_while(self) -> Iterator[None]:
        """Cut inside the ``with`` block, restore after it."""
        self.cut()
        try:
            yield
        finally:
            self.restore()

    async def _listen(self) -> asyncio.AbstractServer:
        return await asyncio.start_server(self._accept, "127.0.0.1", 0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        self.connections += 1
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while not self._cut:
                data = await reader.read(CHUNK)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _drop_all(self) -> None:
        self._cut = True
        for writer in list(self._writers):
            transport = writer.transport
            transport.abort()  # RST, as a network cut looks to the client
        self._writers.clear()

    async def _close(self) -> None:
        await self._drop_all()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
