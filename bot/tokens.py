"""``make token AS=<email> [TTL=seconds]``: print a web-chat session token for a user.

The token is alone on the last line of output, so scripts can take ``tail -n 1``.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import select

from bot.config import get_settings
from bot.identity import sign_session
from bot.platform.db import make_engine, session_factory
from bot.platform.models import User


def main(argv: list[str] | None = None) -> int:
    """Look the user up by e-mail and print a signed session token."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--as", dest="email", required=True, help="the user's e-mail")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)
    if not args.email:
        print("Say who the token is for: make token AS=olivia@demo-kitchen.test", file=sys.stderr)
        return 2
    if args.ttl <= 0:
        print("TTL must be a positive number of seconds", file=sys.stderr)
        return 2
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        user = session.scalar(select(User).where(User.email == args.email.strip().lower()))
    engine.dispose()
    if user is None:
        print(f"No user with e-mail {args.email!r} (try `make reset-demo`).", file=sys.stderr)
        return 1
    print(f"Session token for {user.name} <{user.email}>, valid {args.ttl}s:")
    print(sign_session(user.id, settings.session_secret.get_secret_value(), args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
