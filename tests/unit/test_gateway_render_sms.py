"""One bot turn as SMS bodies: numbered options, confirm codes, split under 1,600."""

from __future__ import annotations

import re

import pytest

from bot.gateway.render_sms import MAX_BODY_CHARS, render_reply, render_turn, split_body
from bot.gateway.rendering import BotReply, Button
from bot.gateway.sms_choices import build_offer

CODE = re.compile(r"[A-HJ-NP-Z2-9]{4}")

TURN = [
    BotReply("Uber Eats — main is disconnected.", (Button("Reconnect", "b_reconnect"),)),
    BotReply(
        "Deliveroo — Riverside needs a change in the provider's portal.",
        (Button("Steps", "b_steps"), Button("I'll do it later", "b_later")),
    ),
    BotReply("Anything else?", (Button("Cancel the order", "b_cancel"),)),
]
ONE_TIME = {"b_reconnect", "b_cancel"}


def offer_for(replies: list[BotReply]):
    return build_offer(
        (b.button_id, b.button_id in ONE_TIME) for reply in replies for b in reply.buttons
    )


@pytest.mark.parametrize(
    ("language", "numbered", "confirm"),
    [
        (
            "en",
            "Reply 1 for Steps, 2 for I'll do it later.",
            "To confirm “{title}”, reply {code}.",
        ),
        (
            "fr",
            "Répondez 1 pour Steps, 2 pour I'll do it later.",
            "Pour confirmer « {title} », répondez {code}.",
        ),
        (
            "es",
            "Responda 1 para Steps, 2 para I'll do it later.",
            "Para confirmar «{title}», responda {code}.",
        ),
    ],
)
def test_numbered_options_and_confirm_codes_in_each_language(language, numbered, confirm):
    offer = offer_for(TURN)
    [body] = render_turn(TURN, offer, language)
    reconnect, cancel = offer.code_of("b_reconnect"), offer.code_of("b_cancel")
    assert body == "\n".join(
        [
            "Uber Eats — main is disconnected.",
            confirm.format(title="Reconnect", code=reconnect),
            "",
            "Deliveroo — Riverside needs a change in the provider's portal.",
            numbered,
            "",
            "Anything else?",
            confirm.format(title="Cancel the order", code=cancel),
        ]
    )


def test_one_time_buttons_are_never_numbered():
    offer = offer_for(TURN)
    assert offer.numbers == {"1": "b_steps", "2": "b_later"}
    assert set(offer.codes.values()) == ONE_TIME
    assert all(CODE.fullmatch(code) for code in offer.codes)
    body = render_turn(TURN, offer, "en")[0]
    assert "for Reconnect" not in body and "for Cancel the order" not in body


def test_numbers_run_across_the_replies_of_a_turn():
    replies = [
        BotReply("A", (Button("Later", "b_1"),)),
        BotReply("B", (Button("Later", "b_2"), Button("Support", "b_3"))),
    ]
    offer = build_offer((b.button_id, False) for r in replies for b in r.buttons)
    assert render_turn(replies, offer, "en") == [
        "A\nReply 1 for Later.\n\nB\nReply 2 for Later, 3 for Support."
    ]


def test_unknown_language_is_english_and_title_punctuation_is_not_doubled():
    replies = [BotReply("Choose:", (Button("Yes!", "b_y"), Button("Not now.", "b_n")))]
    offer = build_offer([("b_y", False), ("b_n", False)])
    assert render_turn(replies, offer, "de") == ["Choose:\nReply 1 for Yes!, 2 for Not now."]


def test_a_turn_without_anything_to_say_is_no_sms():
    assert render_turn([], build_offer([]), "en") == []
    assert render_turn([BotReply("  ")], build_offer([]), "en") == []


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_long_answers_are_split_under_1600_without_cutting_urls_or_words(language):
    url = "https://pair.example.test/pair/" + "A1b2C3d4" * 6
    paragraph = " ".join(["Réessayez la connexion à votre compte de livraison"] * 12)
    text = "\n\n".join(f"{i}. {paragraph} {url}" for i in range(12))
    replies = [BotReply(text, (Button("Reconnect", "b_r"), Button("Later", "b_l")))]
    offer = build_offer([("b_r", True), ("b_l", False)])

    bodies = render_turn(replies, offer, language)

    assert len(bodies) > 1
    assert all(len(body) <= MAX_BODY_CHARS for body in bodies)
    joined = " ".join(bodies)
    assert joined.count(url) == 12  # every link whole, in one body
    assert all(body.count("https://") == body.count(url) for body in bodies)
    whole = render_reply(replies[0], offer, language)
    assert " ".join(bodies).split() == whole.split()  # no word cut, none lost
    assert offer.code_of("b_r") in bodies[-1] and "1" in bodies[-1]


def test_split_prefers_paragraphs_and_counts_emoji_as_twilio_does():
    first = "x" * 1000
    second = "y " * 400
    assert split_body(f"{first}\n\n{second}") == [first, second.strip()]
    emoji = "🙂" * 900  # 1,800 UTF-16 code units, no space to cut at
    bodies = split_body(emoji)
    assert [len(b.encode("utf-16-le")) // 2 for b in bodies] == [1600, 200]


def test_short_text_is_one_body():
    assert split_body("  hello \n") == ["hello"]
    assert split_body("") == []
