"""Connecting a scripted socket.io client to the gateway under test."""

from __future__ import annotations

from typing import Any

import socketio

# socket.io's own default is 1 s: on a busy 2-core CI machine the gateway's connect
# handler (session check, platform lookup) can take longer, and the client then gives
# up with "Unexpected connection error" although the server would have accepted it.
CONNECT_TIMEOUT = 10.0


async def connect_socket(client: socketio.AsyncClient, url: str, **options: Any) -> None:
    """Connect ``client`` to the gateway at ``url`` over a websocket, waiting up to
    :data:`CONNECT_TIMEOUT` for its namespaces; ``options`` go to ``connect``."""
    await client.connect(url, transports=["websocket"], wait_timeout=CONNECT_TIMEOUT, **options)
