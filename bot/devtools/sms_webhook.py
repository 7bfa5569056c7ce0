"""Post an inbound SMS to the gateway exactly as Twilio would: form-encoded and signed.

Twilio signs each webhook with the account's auth token: ``X-Twilio-Signature`` is the
base64 HMAC-SHA1 of the URL it called followed by every POST parameter (name + value,
sorted by name) — :meth:`twilio.request_validator.RequestValidator.compute_signature`.
The gateway checks it against ``<SMS_PUBLIC_URL>/sms/webhook``.

For trying SMS locally (replies go to ``TWILIO_API_BASE_URL``; run
``python -m bot.devtools.fake_twilio`` there to read them)::

    python -m bot.devtools.sms_webhook --from +15550000001 "status"
"""

from __future__ import annotations

import argparse
import secrets
import sys

import httpx
from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/sms/webhook"
SIGNATURE_HEADER = "X-Twilio-Signature"


def new_message_sid() -> str:
    """A fresh inbound MessageSid (``SM`` + 32 hex digits)."""
    return "SM" + secrets.token_hex(16)


def webhook_params(
    from_: str, body: str, to: str, account_sid: str, message_sid: str | None = None
) -> dict[str, str]:
    """The parameters Twilio POSTs for an inbound SMS without media."""
    sid = message_sid or new_message_sid()
    return {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "ApiVersion": "2010-04-01",
    }


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """The ``X-Twilio-Signature`` Twilio would send for ``params`` POSTed to ``url``."""
    return RequestValidator(auth_token).compute_signature(url, params)


def signed_request(
    public_url: str, params: dict[str, str], auth_token: str
) -> tuple[dict[str, str], dict[str, str]]:
    """``(headers, form)`` of a webhook signed for ``<public_url>/sms/webhook``."""
    signature = sign(public_url.rstrip("/") + WEBHOOK_PATH, params, auth_token)
    return {SIGNATURE_HEADER: signature}, params


async def post_sms(
    gateway_url: str,
    auth_token: str,
    from_: str,
    body: str,
    *,
    to: str,
    account_sid: str,
    public_url: str | None = None,
    message_sid: str | None = None,
) -> httpx.Response:
    """POST one signed inbound SMS to the gateway's webhook.

    Args:
        gateway_url: where the gateway listens (the request goes to ``…/sms/webhook``).
        auth_token: the Twilio auth token the gateway checks signatures with.
        from_: the sender's number (E.164).
        body: the text.
        to: our number.
        account_sid: the Twilio account SID.
        public_url: the URL the signature is computed on (default ``gateway_url``).
        message_sid: the MessageSid (default: a fresh one; repeat it to test dedupe).
    """
    params = webhook_params(from_, body, to, account_sid, message_sid)
    headers, form = signed_request(public_url or gateway_url, params, auth_token)
    async with httpx.AsyncClient(base_url=gateway_url.rstrip("/"), timeout=15) as client:
        return await client.post(WEBHOOK_PATH, data=form, headers=headers)


def post_sms_blocking(
    gateway_url: str,
    auth_token: str,
    from_: str,
    body: str,
    *,
    to: str,
    account_sid: str,
    public_url: str | None = None,
    message_sid: str | None = None,
) -> httpx.Response:
    """:func:`post_sms` for synchronous callers."""
    params = webhook_params(from_, body, to, account_sid, message_sid)
    headers, form = signed_request(public_url or gateway_url, params, auth_token)
    with httpx.Client(base_url=gateway_url.rstrip("/"), timeout=15) as client:
        return client.post(WEBHOOK_PATH, data=form, headers=headers)


def main(argv: list[str] | None = None) -> int:
    """Send one SMS to the local gateway as Twilio would; print the gateway's answer."""
    from bot.config import get_settings  # only the command line reads the settings

    settings = get_settings()
    parser = argparse.ArgumentParser(description="Post a signed inbound SMS to the gateway.")
    parser.add_argument("body", help="the text of the SMS")
    parser.add_argument("--from", dest="from_", required=True, help="sender, e.g. +15550000001")
    parser.add_argument("--to", default=settings.support_phone, help="our number")
    parser.add_argument("--gateway", default=settings.effective_gateway_url())
    parser.add_argument("--message-sid", default=None, help="repeat one to test dedupe")
    args = parser.parse_args(argv)
    if not settings.sms_enabled():
        parser.error("SMS is off: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    response = post_sms_blocking(
        args.gateway,
        settings.twilio_auth_token.get_secret_value(),
        args.from_,
        args.body,
        to=args.to,
        account_sid=settings.twilio_account_sid,
        public_url=settings.effective_sms_public_url(),
        message_sid=args.message_sid,
    )
    print(f"{response.status_code} {response.text}")
    return 0 if response.status_code == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
