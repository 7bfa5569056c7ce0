"""Taking secrets out of chat text before a person (a support agent) reads it.

Everything a handoff stores or shows — the recent messages of its packet, the user's and
the agent's messages — goes through :func:`redact` first. What it replaces with
``[redacted]``:

* the value after a password word (``password``, ``mot de passe``, ``contraseña``, …);
* the value after a code or token word (``code``, ``OTP``, ``PIN``, ``token``, ``código``,
  …) when it has a digit, and whatever follows ``Bearer``;
* 2FA / one-time codes: a run of 6 to 8 digits standing on its own (``246810``,
  ``246 810``, ``24-68-10``), and a message that is only a short code (``K7M2``, ``4821``);
* card-like numbers: 13 to 19 digits, spaces or dashes allowed between them;
* tokens: JSON web tokens, and long runs of letters, digits, ``-`` and ``_`` with a digit
  in them (pairing-link tokens, API keys).

Order numbers (``DD-1001``), phone numbers, postal codes and times are left alone. It
errs on the side of hiding: a word after "password" is hidden even when it was not one.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

_PASSWORD_WORDS = (
    r"passwords?|passwd|passphrase|pwd|mots?\s+de\s+passe|mdp"
    r"|contrase(?:ñ|n)as?|claves?"
)
_CODE_WORDS = (
    r"codes?|otp|pin|passcode|2fa|mfa|tokens?|api[\s_-]?key|secret|c(?:ó|o)digos?|cl(?:é|e)"
)
# The joining words between the keyword and the value ("is", "est", "es", ":", "=").
_JOIN = r"(?:\s*(?:is|was|est|était|es|era|:|=|->|→)\s*|\s+)"

_BEARER = re.compile(r"(?i)\b(bearer\s+)\S+")
_JWT = re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+")
_PASSWORD = re.compile(
    rf"(?i)\b(?P<head>(?:{_PASSWORD_WORDS})\b{_JOIN})(?!\[redacted\])"
    r"(?:(?P<open>[\"'«“])[^\"'»”\n]*(?P<close>[\"'»”]?)|[^\s\"'»”]+?(?=[,;]?(?:\s|$)))"
)
_CODE_VALUE = re.compile(
    rf"(?i)(?<!postal )(?<!zip )(?<!area )\b({_CODE_WORDS})\b({_JOIN})(?!\[redacted\])"
    r"(?=[\w-]*\d)[A-Za-z0-9][\w-]{2,}"
)
_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")
_DIGIT_CODE = re.compile(r"(?<![\w-])(?<!\d[ -])\d(?:[ -]?\d){5,7}(?![ -]?\d)(?![\w-])")
_LONG_TOKEN = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}(?![\w-])")
_ONLY_A_CODE = re.compile(r"(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{4,8}")


def redact(text: str) -> str:
    """``text`` with passwords, codes, tokens and card-like numbers replaced by ``[redacted]``.

    >>> redact("my password is hunter2 and the code 246810")
    'my password is [redacted] and the code [redacted]'
    >>> redact("cancel DD-1001 please")
    'cancel DD-1001 please'
    """
    if not text:
        return text
    if _ONLY_A_CODE.fullmatch(text.strip()):
        return REDACTED
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _JWT.sub(REDACTED, text)
    text = _PASSWORD.sub(_password, text)
    text = _CODE_VALUE.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    text = _CARD.sub(REDACTED, text)
    text = _DIGIT_CODE.sub(REDACTED, text)
    return _LONG_TOKEN.sub(REDACTED, text)


def _password(match: re.Match[str]) -> str:
    """A password's words and joining word, then ``[redacted]`` (inside its quotes, if any)."""
    if match.group("open"):
        return f"{match.group('head')}{match.group('open')}{REDACTED}{match.group('close')}"
    return match.group("head") + REDACTED
