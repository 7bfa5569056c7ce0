"""Linking a Telegram account: a one-time /start code, one's own shared contact, /unlink.

(The gateway, its platform, Rasa's stand-in and the fake Bot API: ``stack.py``,
``conftest.py``.)
"""

from __future__ import annotations

from bot.devtools.telegram_updates import (
    contact_update,
    text_update,
)
from bot.identity import Identity
from tests.integration.gateway_telegram.stack import (
    BOT_USERNAME,
    HELP_WORDS,
    MARC,
    MARC_TG,
    OLIVIA,
    OLIVIA_TG,
    STRANGER_TG,
    conversation,
)

# --- linking ---------------------------------------------------------------------------


async def test_linking_with_a_start_code_then_chatting_as_that_user(gw):
    minted = await gw.link_code(OLIVIA)
    assert minted["command"] == f"/start {minted['code']}"
    assert minted["link"] == f"https://t.me/{BOT_USERNAME}?start={minted['code']}"

    await gw.post(text_update(None, f"/start {minted['code']}", from_id=OLIVIA_TG))
    welcome = await gw.sent(OLIVIA_TG, lambda text: "Welcome, Olivia" in text)
    assert welcome["reply_markup"] == {"remove_keyboard": True}
    assert welcome["link_preview_options"] == {"is_disabled": True}

    gw.telegram.clear()
    await gw.say(OLIVIA_TG, "which stores are disconnected?")
    await gw.sent(OLIVIA_TG, lambda text: text == "echo: which stores are disconnected?")

    [body] = gw.rasa.received
    assert body["sender"] == conversation(gw, OLIVIA, OLIVIA_TG)
    assert body["identity"] == Identity(gw.user_ids[OLIVIA], body["sender"], "telegram")
    methods = [c["method"] for c in gw.telegram.calls()]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    typing = gw.telegram.calls("sendChatAction")[0]["params"]
    assert typing == {"chat_id": OLIVIA_TG, "action": "typing"}


async def test_a_link_code_works_once(gw):
    code = (await gw.link_code(OLIVIA))["code"]
    await gw.post(text_update(None, f"/start {code}", from_id=OLIVIA_TG))
    await gw.sent(OLIVIA_TG, lambda text: "Welcome" in text)

    await gw.post(text_update(None, f"/start {code}", from_id=STRANGER_TG, language_code="es"))
    refused = await gw.sent(STRANGER_TG, lambda text: "no es válido" in text)
    assert "Olivia" not in refused["text"]
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []


async def test_linking_by_sharing_ones_own_contact_welcomes_in_the_users_language(gw):
    # Telegram often sends the number without "+"; Marc's profile language is French.
    await gw.post(contact_update(None, "15550000002", from_id=MARC_TG))

    await gw.sent(MARC_TG, lambda text: text.startswith("Bienvenue, Marc"))
    await gw.say(MARC_TG, "/start")
    await gw.sent(MARC_TG, lambda text: "ce compte Telegram est lié" in text)
    await gw.say(MARC_TG, "état de mes intégrations")
    await gw.sent(MARC_TG, lambda text: text == "echo: état de mes intégrations")
    assert gw.rasa.received[0]["identity"].user_id == gw.user_ids[MARC]


async def test_someone_elses_contact_links_nothing(gw):
    # The stranger forwards Olivia's contact card: her phone is verified, but not theirs.
    update = contact_update(None, "+15550000001", from_id=STRANGER_TG, contact_user_id=OLIVIA_TG)
    await gw.post(update)

    await gw.sent(STRANGER_TG, lambda text: "your own phone number" in text)
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []
    assert not any("Olivia" in text for text in gw.texts_to(STRANGER_TG))


async def test_a_phone_that_is_no_verified_users_links_nothing(gw):
    await gw.post(contact_update(None, "+15559990000", from_id=STRANGER_TG))

    await gw.sent(STRANGER_TG, lambda text: "not a verified number" in text)
    await gw.say(STRANGER_TG, "status")
    await gw.sent(STRANGER_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []


async def test_unlink_stops_the_chat_from_acting_as_the_user(gw):
    await gw.link(OLIVIA, OLIVIA_TG)
    await gw.say(OLIVIA_TG, "/unlink")
    await gw.sent(OLIVIA_TG, lambda text: "no longer linked" in text)
    await gw.say(OLIVIA_TG, "status")
    await gw.sent(OLIVIA_TG, lambda text: HELP_WORDS["en"] in text)
    assert gw.rasa.received == []
