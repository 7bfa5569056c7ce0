"""The fault suite's TCP proxy in front of the machine's real PostgreSQL and Redis: while
cut, clients fail at once; after restore, a new connection works (the server itself was
never touched)."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.devtools.tcp_proxy import TcpProxy
from bot.platform.db import make_engine, normalize_url
from tests.conftest import POSTGRES_URL, REDIS_URL


@pytest.mark.postgres
def test_postgresql_through_the_proxy_cut_then_restored(postgres_url) -> None:
    target = normalize_url(POSTGRES_URL)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432).start()
    engine = make_engine(target.set(host="127.0.0.1", port=proxy.port), pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1
        with proxy.cut_for_a_while():
            with pytest.raises(OperationalError):
                with engine.connect() as connection:
                    connection.scalar(text("SELECT 1"))
        with engine.connect() as connection:  # pre-ping replaces the dropped connection
            assert connection.scalar(text("SELECT 1")) == 1
    finally:
        engine.dispose()
        proxy.stop()


def test_redis_through_the_proxy_cut_then_restored(redis_url) -> None:
    target = redis.connection.parse_url(REDIS_URL)
    proxy = TcpProxy(target.get("host", "127.0.0.1"), int(target.get("port", 6379))).start()
    client = redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=2)
    try:
        assert client.ping()
        proxy.cut()
        with pytest.raises(redis.ConnectionError):
            client.ping()
        proxy.restore()
        assert client.ping()
        assert proxy.connections >= 2
    finally:
        client.close()
        proxy.stop()
