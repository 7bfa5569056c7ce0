"""A TCP proxy a test controls, to make PostgreSQL or Redis unreachable without touching
the machine's own server: clients connect to the proxy's port; :meth:`TcpProxy.cut`
drops every open connection and refuses new ones (accepted, then closed at once) until
:meth:`TcpProxy.restore`.

The proxy runs in a process of its own (``python -m bot.devtools.tcp_proxy HOST PORT``,
driven by one-word commands on its stdin), so a busy test process — fifty socket.io
clients, say — never slows every query of the stack it proxies.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator

CHUNK = 65536


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``upstream_host:upstream_port`` until cut."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        """Prepare the proxy (:meth:`start` opens its port)."""
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def start(self) -> TcpProxy:
        """Start the proxy process, listening on a free port of 127.0.0.1 (``self.port``)."""
        host, port = self.upstream
        self._process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "bot.devtools.tcp_proxy", host, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.port = int(self._read())
        return self

    def cut(self) -> None:
        """Drop every open connection; refuse new ones until :meth:`restore`."""
        self._ask("cut")

    def restore(self) -> None:
        """Forward again."""
        self._ask("restore")

    @property
    def connections(self) -> int:
        """Connections accepted and forwarded so far (for tests' assertions)."""
        return int(self._ask("count"))

    def stop(self) -> None:
        """Close the port and every connection; end the process."""
        if self._process is None:
            return
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            self._ask("stop")
        try:
            self._process.wait(5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._process = None

    @contextlib.contextmanager
    def cut_for_a_while(self) -> Iterator[None]:
        """Cut inside the ``with`` block, restore after it."""
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def _ask(self, command: str) -> str:
        with self._lock:
            if self._process is None or self._process.stdin is None:
                raise RuntimeError("the proxy is not running")
            self._process.stdin.write(command + "\n")
            self._process.stdin.flush()
            return self._read()

    def _read(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the proxy to {self.upstream} ended")
        return line.strip()


class _Forwarder:
    """The proxy itself (in its own process)."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.cut = False
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._server: asyncio.AbstractServer | None = None

    async def listen(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
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
            while not self.cut:
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

    def drop_all(self) -> None:
        self.cut = True
        for writer in list(self._writers):
            writer.transport.abort()  # RST, as a network cut looks to the client
        self._writers.clear()

    async def close(self) -> None:
        self.drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


async def _serve(upstream_host: str, upstream_port: int) -> None:
    """Forward, and obey ``cut`` / ``restore`` / ``count`` / ``stop`` on stdin (each
    answered with one line once done); stdin closing (the test ended) stops too."""
    forwarder = _Forwarder(upstream_host, upstream_port)
    print(await forwarder.listen(), flush=True)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while line := (await commands.readline()).decode().strip():
        if line == "cut":
            forwarder.drop_all()
        elif line == "restore":
            forwarder.cut = False
        elif line == "stop":
            break
        print(forwarder.connections if line == "count" else "ok", flush=True)
    await forwarder.close()
    with contextlib.suppress(OSError):  # nobody may be listening any more
        print("ok", flush=True)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], int(sys.argv[2])))
