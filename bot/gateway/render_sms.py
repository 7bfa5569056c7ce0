"""One bot turn as SMS bodies: text, numbered options, confirm codes, split under 1,600.

Each reply of the turn is its text, then its choices:

* the buttons without side effects as one sentence of numbered options, numbered
  across all replies of the turn ("Reply 1 for Reconnect, 2 for I'll do it later.");
* each one-time button (a side effect) as its own line with the confirm code
  (:mod:`bot.gateway.sms_choices`): "To confirm “Cancel the order”, reply KX7Q." —
  never as a number, so a blind "1" or "YES" can never confirm it.

The replies are joined by blank lines and split into bodies of at most
:data:`MAX_BODY_CHARS` (Twilio's limit, counted in UTF-16 code units as Twilio counts
them), at a paragraph, a line or a space: a URL or a word is never cut (only a single
"word" longer than a whole message would be).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.gateway.rendering import BotReply
from bot.gateway.sms_choices import Offer
from bot.gateway.text_split import split_text

MAX_BODY_CHARS = 1_600
DEFAULT_LANGUAGE = "en"

_OPTIONS = {
    "en": ("Reply {n} for {title}", "{n} for {title}"),
    "fr": ("Répondez {n} pour {title}", "{n} pour {title}"),
    "es": ("Responda {n} para {title}", "{n} para {title}"),
}
_CONFIRM = {
    "en": "To confirm “{title}”, reply {code}.",
    "fr": "Pour confirmer « {title} », répondez {code}.",
    "es": "Para confirmar «{title}», responda {code}.",
}
_END_PUNCTUATION = (".", "!", "?", "…")


def language_of(language: str | None) -> str:
    """``en``, ``fr`` or ``es`` for a profile language (English for anything else)."""
    code = (language or "").lower()[:2]
    return code if code in _CONFIRM else DEFAULT_LANGUAGE


def render_turn(replies: Sequence[BotReply], offer: Offer, language: str | None) -> list[str]:
    """The SMS bodies of one bot turn, in order.

    Args:
        replies: the turn's channel-neutral replies (buttons carry opaque ids).
        offer: the numbers and codes the turn offers (:meth:`SmsChoices.offer`); a
            button that has neither is not shown.
        language: the user's profile language.

    Returns:
        One or more bodies of at most :data:`MAX_BODY_CHARS`; empty when the turn
        has nothing to say.
    """
    paragraphs = [p for p in (render_reply(r, offer, language) for r in replies) if p]
    return split_body("\n\n".join(paragraphs))


def render_reply(reply: BotReply, offer: Offer, language: str | None) -> str:
    """One reply: its text, its numbered options, then one line per confirm code."""
    lang = language_of(language)
    lines = [reply.text.strip()] if reply.text.strip() else []
    numbered = [
        (number, button.title)
        for button in reply.buttons
        if (number := offer.number_of(button.button_id)) is not None
    ]
    if numbered:
        lines.append(options_sentence(numbered, lang))
    for button in reply.buttons:
        code = offer.code_of(button.button_id)
        if code is not None:
            lines.append(_CONFIRM[lang].format(title=button.title.strip(), code=code))
    return "\n".join(lines)


def options_sentence(numbered: Sequence[tuple[str, str]], language: str | None) -> str:
    """``Reply 1 for A, 2 for B.`` in the user's language.

    >>> options_sentence([("1", "Reconnect"), ("2", "I'll do it later")], "en")
    "Reply 1 for Reconnect, 2 for I'll do it later."
    """
    first, more = _OPTIONS[language_of(language)]
    parts = [
        (first if i == 0 else more).format(n=n, title=title.strip())
        for i, (n, title) in enumerate(numbered)
    ]
    sentence = ", ".join(parts)
    return sentence if sentence.endswith(_END_PUNCTUATION) else sentence + "."


def split_body(text: str, limit: int = MAX_BODY_CHARS) -> list[str]:
    """Split ``text`` into bodies of at most ``limit`` UTF-16 code units.

    Cuts at the last blank line that keeps a body at least half full, else at the last
    line break, else at the last space; never inside a word or a URL unless a single
    word is longer than ``limit``.
    """
    return split_text(text.strip(), limit)
