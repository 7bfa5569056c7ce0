"""Point Telegram at the gateway's webhook, or take the webhook away.

::

    python -m bot.gateway.channels.telegram_setup --url https://public.example/telegram/webhook
    python -m bot.gateway.channels.telegram_setup --delete
    python -m bot.gateway.channels.telegram_setup --info

``--url`` calls ``setWebhook`` with ``TELEGRAM_WEBHOOK_SECRET`` as ``secret_token`` (so
Telegram sends it in ``X-Telegram-Bot-Api-Secret-Token``, which the gateway checks) and
only the updates the gateway reads (messages and button presses). The token, base URL
and secret come from the settings (``.env``); none of them is ever printed.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings, get_settings
from bot.gateway.channels.telegram import ALLOWED_UPDATES, WEBHOOK_PATH

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--url", help=f"the public HTTPS URL of the gateway's {WEBHOOK_PATH}")
    action.add_argument("--delete", action="store_true", help="remove the webhook")
    action.add_argument("--info", action="store_true", help="show the current webhook")
    parser.add_argument(
        "--drop-pending", action="store_true", help="drop updates Telegram has queued"
    )
    return parser


async def run(args: argparse.Namespace, settings: Settings) -> str:
    """Do what ``args`` asks with the configured bot; the line to print.

    Raises:
        SystemExit: missing settings or a URL/secret Telegram would refuse.
        TelegramError: the Bot API refused.
    """
    token = settings.telegram_bot_token.get_secret_value()
    if not token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
        if args.delete:
            await bot.delete_webhook(drop_pending_updates=args.drop_pending)
            return "webhook deleted"
        if args.info:
            info = await bot.get_webhook_info()
            return f"webhook: {info.url or '(none)'}; pending updates: {info.pending_update_count}"
        secret = settings.telegram_webhook_secret.get_secret_value()
        if not _SECRET.fullmatch(secret):
            raise SystemExit(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters A-Z a-z 0-9 _ -"
                " (run `python -m bot.secrets` to generate one)"
            )
        if not args.url.startswith("https://"):
            raise SystemExit("Telegram only calls HTTPS webhook URLs")
        await bot.set_webhook(
            args.url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=args.drop_pending,
        )
        return f"webhook set to {args.url}"


def main(argv: list[str] | None = None) -> int:
    """Entry point; 0 on success, 1 when the Bot API refused."""
    args = build_parser().parse_args(argv)
    try:
        print(asyncio.run(run(args, get_settings())))
    except TelegramError as exc:
        print(f"Telegram refused: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
