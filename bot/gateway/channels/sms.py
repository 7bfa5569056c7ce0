"""The SMS channel: Twilio's inbound webhook in, Twilio's REST API out.

On when ``TWILIO_ACCOUNT_SID`` and ``TWILIO_AUTH_TOKEN`` are set
(:meth:`bot.config.Settings.sms_enabled`); otherwise :func:`install` adds nothing.

Inbound (``POST /sms/webhook``, form-encoded, as Twilio sends it):

* ``X-Twilio-Signature`` is checked with twilio's ``RequestValidator`` against
  ``<SMS_PUBLIC_URL>/sms/webhook`` (the address Twilio calls, which differs from the
  gateway's own behind a proxy) and the POST parameters; a bad or missing signature,
  or another account's ``AccountSid``, is 403 and nothing is processed;
* the webhook answers at once with empty TwiML (Twilio waits 15 seconds at most) and
  the message is processed in the background; replies go out through the REST API
  (:class:`bot.notify.twilio_sms.TwilioSmsSender`) when the bot has them;
* the same ``MessageSid`` twice is processed once (the platform records receipts, so
  this holds across gateway processes and restarts).

Messages of one phone number are processed one at a time, in arrival order.

Keywords (the whole message, trimmed, any case), answered by the channel itself:

* ``STOP``, ``STOPALL``, ``UNSUBSCRIBE``, ``END``, ``QUIT``, ``ARRET``/``ARRÊT``,
  ``BAJA`` → the number is opted out (the platform keeps it; issue 6's alerts read the
  same table) and gets one confirmation; from then on it gets nothing else, neither
  replies nor continued conversations, and its messages are not relayed;
* ``START``, ``UNSTOP`` — and ``YES`` only while opted out — → opted back in, with a
  confirmation;
* ``HELP``, ``INFO``, ``AIDE``, ``AYUDA`` → what the assistant does and our support
  number (not to an opted-out number: it gets nothing but the confirmations).

``CANCEL`` is deliberately **not** an opt-out keyword here, although carriers often
treat it as one: in this product "cancel" means cancelling an order ("cancel DD-1001"),
so it goes to the bot as text.

Who is texting: the user whose **verified** phone is the sender's number
(``GET /internal/users/by-phone``). An unknown number gets general help and how to
register (in English, French and Spanish: we do not know its language), nothing about
any organization, and nothing reaches Rasa. A known user talks in the conversation
``sms:<user id>:<E.164 digits>``, in their profile language.

Choices: the bot's buttons become numbered options, and one-time buttons (side
effects) confirm codes (:mod:`bot.gateway.render_sms`, :mod:`bot.gateway.sms_choices`).
A reply ``1``, ``2``… maps to the option offered last in the conversation; a reply
equal to a confirm code maps to its button; anything else is text. A caller id can be
spoofed, and a spoofer never sees our replies, so a blind ``YES`` (or a number that is
no option) while a code is pending is answered "reply with the code I sent" and never
reaches Rasa; only the code confirms, and the platform refuses side effects by SMS
without it (docs/channels-contract.md).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from starlette.datastructures import MultiDict
from twilio.request_validator import RequestValidator

from bot.gateway.channels.sms_texts import sms_text, unknown_number
from bot.gateway.conversations import parse_conversation_id
from bot.gateway.render_sms import render_turn
from bot.gateway.rendering import BotReply
from bot.gateway.runtime import GatewayRuntime
from bot.gateway.shared_locks import SharedLockUnavailable
from bot.gateway.sms_choices import ChoiceStore, Offer
from bot.gateway.texts import text as gateway_text
from bot.identity import Identity
from bot.notify.twilio_sms import SmsSendFailed, TwilioSmsSender, mask_phone
from bot.platform_client import PlatformError, PlatformUnavailable
from bot.sms_conversation import sms_conversation_id as conversation_id_for

log = logging.getLogger(__name__)

CHANNEL = "sms"
WEBHOOK_PATH = "/sms/webhook"
SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_WEBHOOK_BYTES = 64_000  # an SMS is at most 1,600 characters; Twilio adds ~25 fields

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "ARRET", "ARRÊT", "BAJA"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})
OPT_IN_WHILE_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO", "AIDE", "AYUDA"})
KEYWORD_LANGUAGES = {"ARRET": "fr", "ARRÊT": "fr", "AIDE": "fr", "BAJA": "es", "AYUDA": "es"}
BLIND_CONFIRMATIONS = frozenset(
    {"YES", "Y", "OK", "OKAY", "CONFIRM", "OUI", "CONFIRMER", "SI", "SÍ", "CONFIRMAR", "VALE"}
)
"""Bare affirmatives that are answered "reply with the code" while a code is pending."""

_BARE_NUMBER = re.compile(r"[0-9]{1,3}")
_TRAILING_PUNCTUATION = ".!¡?¿ "


def keyword_of(text: str) -> str:
    """The message as a keyword candidate: trimmed, upper case, without end punctuation."""
    return text.strip().strip(_TRAILING_PUNCTUATION).upper()


def phone_of(conversation_id: str) -> str | None:
    """The E.164 number of an SMS conversation id, or None when it is not one."""
    ref = parse_conversation_id(conversation_id)
    if ref is None or ref.channel != CHANNEL:
        return None
    digits = conversation_id.rsplit(":", 1)[1]
    return f"+{digits}" if digits.isdigit() else None


class SmsChannel:
    """The webhook's processing, the reply mapping and the delivery of SMS replies."""

    def __init__(self, runtime: GatewayRuntime, sender: TwilioSmsSender) -> None:
        """Wire the channel.

        Args:
            runtime: the shared clients and relay (opened on startup).
            sender: sends SMS through Twilio's REST API.
        """
        self._runtime = runtime
        self._sender = sender
        self._settings = runtime.settings
        self._validator = RequestValidator(runtime.settings.twilio_auth_token.get_secret_value())
        self._inbound = runtime.arrival_queue(CHANNEL, self._queued)  # arrival order
        self.choices: ChoiceStore = runtime.sms_choices
        runtime.register_channel(CHANNEL, self.deliver)
        runtime.on_lifecycle(shutdown=self._close)

    async def _close(self) -> None:
        self._sender.close()

    # --- inbound ----------------------------------------------------------------------

    async def webhook(self, request: Request) -> Response:
        """Twilio's inbound-SMS webhook: check the signature, answer at once, process later."""
        raw = await request.body()
        if len(raw) > MAX_WEBHOOK_BYTES:
            return Response(status_code=413)
        form = MultiDict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        url = self._settings.effective_sms_public_url() + WEBHOOK_PATH
        if request.url.query:
            url += "?" + request.url.query
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not self._validator.validate(url, form, signature):
            log.info("SMS webhook refused: bad or missing signature")
            return Response(status_code=403)
        if form.get("AccountSid") != self._settings.twilio_account_sid:
            log.info("SMS webhook refused: another account")
            return Response(status_code=403)
        phone, sid = form.get("From", ""), form.get("MessageSid", "")
        if phone and sid:
            message = {"phone": phone, "text": form.get("Body", ""), "sid": sid}
            await self._inbound.accept(phone, message)
        else:
            log.info("SMS webhook without From or MessageSid: ignored")
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def _queued(self, message: dict[str, Any]) -> None:
        """Handle one inbound SMS (signature already checked), its number's earlier ones
        done (:class:`~bot.gateway.arrival_queue.ArrivalQueue`).

        Args:
            message: ``phone`` (``From``), ``text`` (``Body``) and ``sid`` (Twilio's
                ``MessageSid``; duplicates are dropped).
        """
        phone = str(message["phone"])
        try:
            await self._process(phone, str(message["text"]), str(message["sid"]))
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("SMS from %s dropped, platform failed: %s", mask_phone(phone), exc)

    async def _process(self, phone: str, text: str, message_sid: str) -> None:
        platform = self._runtime.platform
        if not await platform.first_receipt(CHANNEL, message_sid):
            log.info("SMS %s already processed: dropped", message_sid)
            return
        keyword = keyword_of(text)
        user = await platform.user_by_phone(phone)
        language = KEYWORD_LANGUAGES.get(keyword) or (user or {}).get("language")
        if keyword in OPT_OUT_KEYWORDS:
            await platform.set_sms_opt_out(phone, True)
            await self._send(phone, [sms_text("opted_out", language)])
            return
        opted_out = await platform.sms_opted_out(phone)
        if keyword in OPT_IN_KEYWORDS or (opted_out and keyword in OPT_IN_WHILE_OPTED_OUT):
            await platform.set_sms_opt_out(phone, False)
            await self._send(phone, [sms_text("opted_in", language)])
            return
        if opted_out:
            log.info("SMS from opted-out %s: not relayed", mask_phone(phone))
            return
        support = self._settings.support_phone
        if user is None:
            await self._send(phone, [unknown_number(support)])
            return
        if keyword in HELP_KEYWORDS:
            await self._send(phone, [sms_text("help", language, support)])
            return
        await self._relay(user, phone, text)

    async def _relay(self, user: dict, phone: str, text: str) -> None:
        """Map a known user's reply to the last turn's options and hand it to the relay."""
        user_id = int(user["id"])
        language = str(user.get("language") or "")
        conversation_id = conversation_id_for(user_id, phone)
        try:
            offer = await self.choices.last(conversation_id)
        except SharedLockUnavailable as exc:  # Redis down: like the relay's lock
            log.warning("SMS from %s not relayed: %s", mask_phone(phone), exc)
            await self._send(phone, [gateway_text("rasa_unavailable", language)])
            return
        message = offer.resolve(text)
        if message is None and _blind_confirmation(text, offer):
            await self._send(phone, [sms_text("reply_with_code", language)])
            return

        async def deliver(replies: list[BotReply]) -> None:
            await self._deliver_turn(conversation_id, phone, replies, language)

        identity = Identity(user_id, conversation_id, CHANNEL)
        await self._runtime.relay.handle(identity, message or text, language, deliver)

    # --- outbound ---------------------------------------------------------------------

    async def deliver(self, conversation_id: str, replies: list[BotReply]) -> None:
        """Send a turn that continues by itself (pairing page done…) to an SMS conversation.

        Nothing is sent to a number that opted out, nor when the platform cannot say
        whether it did.
        """
        phone = phone_of(conversation_id)
        ref = parse_conversation_id(conversation_id)
        if phone is None or ref is None:
            log.warning("not an SMS conversation: %s", conversation_id)
            return
        platform = self._runtime.platform
        try:
            if await platform.sms_opted_out(phone):
                log.info("continued turn for opted-out %s: not sent", mask_phone(phone))
                return
            user = await platform.user(ref.user_id)
        except (PlatformError, PlatformUnavailable) as exc:
            log.warning("continued SMS turn to %s not sent: %s", mask_phone(phone), exc)
            return
        language = str((user or {}).get("language") or "")
        await self._deliver_turn(conversation_id, phone, replies, language)

    async def _deliver_turn(
        self, conversation_id: str, phone: str, replies: list[BotReply], language: str
    ) -> None:
        """Record the turn's options (replacing the previous turn's) and send its bodies."""
        if not replies:
            return
        buttons = [
            (button.button_id, button.one_time) for reply in replies for button in reply.buttons
        ]
        try:
            offer = await self.choices.offer(conversation_id, buttons)
        except SharedLockUnavailable as exc:  # Redis down: the texts still go, no choices
            log.warning("SMS choices of %s not recorded: %s", mask_phone(phone), exc)
            offer = Offer()
        await self._send(phone, render_turn(replies, offer, language))

    async def _send(self, phone: str, bodies: list[str]) -> None:
        """Send bodies in order; a failure is logged (by the sender) and the rest dropped."""
        for body in bodies:
            try:
                await self._sender.send(phone, body)
            except SmsSendFailed:
                return


def _blind_confirmation(text: str, offer: Offer) -> bool:
    """A bare "yes" or a number that is no option, while the last turn shows a code."""
    if not offer.codes:
        return False
    keyword = keyword_of(text)
    return keyword in BLIND_CONFIRMATIONS or bool(_BARE_NUMBER.fullmatch(keyword))


def install(app: FastAPI, runtime: GatewayRuntime) -> None:
    """Add the Twilio SMS webhook route and delivery to the gateway (nothing when off).

    The channel is ``app.state.sms`` when installed.
    """
    settings = runtime.settings
    if not settings.sms_enabled():
        return
    channel = SmsChannel(runtime, TwilioSmsSender.from_settings(settings))
    app.state.sms = channel
    app.add_api_route(WEBHOOK_PATH, channel.webhook, methods=["POST"], include_in_schema=False)
    log.info("SMS channel on: webhook %s", settings.effective_sms_public_url() + WEBHOOK_PATH)
