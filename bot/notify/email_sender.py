"""Sending alert e-mails over SMTP with the standard library, in a worker thread.

The Message-ID comes from the outbox row's ``message_key``
(``<alert-<key>@merchant-assistant>``): a message sent again after a dispatcher died is
recognisably the same one. Each carries a ``List-Unsubscribe`` header (the recipient's
signed https link, :mod:`bot.notify.unsubscribe_token`; no ``mailto``: nothing reads
that mailbox) and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058: mail clients unsubscribe
with one POST to that link).
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

from bot.config import Settings
from bot.notify.alert_texts import Email


class EmailSendFailed(Exception):
    """The SMTP server could not be reached or refused the message."""


def message_id(message_key: str) -> str:
    """The Message-ID of the alert with ``message_key``."""
    return f"<alert-{message_key}@merchant-assistant>"


def build_message(
    settings: Settings, to: str, mail: Email, message_key: str, unsubscribe: str
) -> EmailMessage:
    """The MIME message: text and HTML alternatives, Message-ID, List-Unsubscribe.

    ``unsubscribe`` is the recipient's one-click link
    (:func:`bot.notify.unsubscribe_token.unsubscribe_url`).
    """
    msg = EmailMessage()
    msg["From"] = settings.alert_email_from
    msg["To"] = to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(message_key)
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


class SmtpEmailSender:
    """Sends one message per call through ``SMTP_HOST``:``SMTP_PORT``."""

    def __init__(self, settings: Settings, timeout: float = 10.0) -> None:
        """Remember the server settings (nothing connects until :meth:`send`)."""
        self.settings = settings
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        """Send without blocking the event loop.

        Raises:
            EmailSendFailed: No server configured, unreachable, or a refusal.
        """
        await asyncio.to_thread(self.send_blocking, message)

    def send_blocking(self, message: EmailMessage) -> None:
        """:meth:`send` for synchronous callers."""
        s = self.settings
        if not s.smtp_host:
            raise EmailSendFailed("SMTP_HOST is not set")
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise EmailSendFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
