"""``make link-telegram AS=<email>``: print a one-time code that links a Telegram account
to a user (``python -m bot.platform.telegram_link_cli --as <email>``).

Send ``/start <code>`` to the bot, or open ``https://t.me/<bot>?start=<code>`` (printed
when ``TELEGRAM_BOT_USERNAME`` is set), before the code expires
(``TELEGRAM_LINK_TTL_SECONDS``). The code works once.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

from bot.config import Settings, get_settings
from bot.platform.db import make_engine, session_factory
from bot.platform.services.telegram_links import new_link_code
from bot.platform.services.users import get_user_by_email


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Mint a link code for the user with that e-mail and print it.

    Args:
        argv: The command-line arguments (``sys.argv[1:]`` by default).
        settings: The settings (database, TTL, bot username); the process settings by
            default.

    Returns:
        0 when a code was printed, 2 when the e-mail is missing or nobody's.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as", dest="email", default="", help="the user's e-mail")
    args = parser.parse_args(argv)
    if not args.email.strip():
        print(
            "Say whose Telegram to link: make link-telegram AS=olivia@demo-kitchen.test",
            file=sys.stderr,
        )
        return 2
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    try:
        with session_factory(engine)() as session:
            user = get_user_by_email(session, args.email)
            if user is None:
                print(
                    f"No user with e-mail {args.email.strip()!r} (try `make reset-demo`).",
                    file=sys.stderr,
                )
                return 2
            minted = new_link_code(session, settings, user)
            name, email = user.name, user.email
    finally:
        engine.dispose()
    minutes = max(1, settings.telegram_link_ttl_seconds // 60)
    print(f"Telegram link code for {name} <{email}>, valid {minutes} min, works once:")
    print(f"Code: {minted.code}")
    print(f"Expires: {minted.expires_at.strftime('%Y-%m-%d %H:%M:%S UTC')}")
    username = settings.telegram_bot_username.strip().lstrip("@")
    if username:
        print(f"Open: https://t.me/{quote(username)}?start={minted.code}")
    print(f"Or send this to the bot: /start {minted.code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
