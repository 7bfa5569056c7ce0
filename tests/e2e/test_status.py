"""The status capability end to end, as each demo user sees it in the web chat."""

from __future__ import annotations

import re

from bot.devtools.webchat_client import BotTurn


def _section(turn: BotTurn, label: str) -> str:
    """The lines of the reply from the account ``label`` up to the next account header."""
    lines = turn.text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(label))
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if re.match(r"^\S.* — .*\(", lines[i]) or lines[i].split(":")[0] in WORKING_WORDS
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


WORKING_WORDS = {"Working", "Fonctionnent", "Funcionan"}


async def test_olivia_asks_which_stores_are_disconnected(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("which of my stores are disconnected?")

    ue = _section(turn, "Uber Eats — main")
    assert "Downtown / Burger Barn" in ue and "Airport / Burger Barn" in ue
    assert "login" in ue and "Reconnect" in ue

    dd = _section(turn, "DoorDash — main")
    assert "Downtown / Burger Barn" in dd and "Downtown / Taco Town" in dd
    assert "2FA" in dd

    dr = _section(turn, "Deliveroo — Riverside")
    assert "Riverside / Taco Town" in dr and "inactive" in dr
    assert "Restaurant Hub" in dr and "I've completed these steps" in dr

    ue_river = _section(turn, "Uber Eats — Riverside")
    assert "Riverside / Taco Town" in ue_river
    assert "Google or Apple" in ue_river and "1-833-275-3287" in ue_river

    gl = _section(turn, "Glovo — main")
    assert "Downtown / Taco Town" in gl and "blocked" in gl

    working = next(line for line in turn.text.splitlines() if line.startswith("Working"))
    assert "Grubhub" in working and "Just Eat" in working
    assert "Grubhub" not in turn.text.replace(working, "")
    assert "Just Eat" not in turn.text.replace(working, "")

    assert sorted(turn.button_titles) == [
        "I'll do this later",
        "I'll do this later",
        "I've completed these steps",
        "I've completed these steps",
        "Reconnect DoorDash — main",
        "Reconnect Glovo — main",
        "Reconnect Uber Eats — main",
    ]
    assert all(b["payload"].startswith("b_") for b in turn.buttons), turn.buttons


async def test_olivia_filters_by_provider_and_location(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is DoorDash working at Downtown?")
    assert "DoorDash — main" in turn.text
    assert "Downtown / Burger Barn" in turn.text and "Downtown / Taco Town" in turn.text
    for other in ("Uber Eats", "Glovo", "Deliveroo", "Riverside", "Airport"):
        assert other not in turn.text
    assert turn.button_titles == ["Reconnect DoorDash — main"]

    turn = await olivia.say("is Grubhub ok?")
    assert "Grubhub — main" in turn.text and turn.button_titles == []
    assert "Uber Eats" not in turn.text


async def test_marc_gets_french_and_is_told_who_can_reconnect(chat) -> None:
    marc = await chat("marc")
    turn = await marc.say("mes intégrations sont-elles connectées ?")
    assert "Uber Eats — main" in turn.text and "Glovo — main" in turn.text
    assert "Magasins touchés" in turn.text and "déconnecté" in turn.text
    assert "Olivia Owner peut s'en charger" in turn.text
    assert "J'ai terminé ces étapes" in turn.text
    # Marc may not manage integrations: no Reconnect, no check; he may ask Olivia.
    assert turn.button_titles == ["Prévenir Olivia Owner"] * 3
    assert "Fonctionnent" in turn.text


async def test_sofia_gets_spanish_uber_eats_only(chat) -> None:
    sofia = await chat("sofia")
    turn = await sofia.say("¿mis tiendas de Uber Eats están desconectadas?")
    assert "Uber Eats — main" in turn.text and "Uber Eats — Riverside" in turn.text
    assert "Tiendas afectadas" in turn.text
    assert "DoorDash" not in turn.text and "Glovo" not in turn.text
    assert "Olivia Owner" in turn.text
    assert turn.button_titles == ["Avisar a Olivia Owner"]  # for Uber Eats — main only


async def test_a_message_clearly_in_another_language_gets_that_language(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("¿cuáles de mis tiendas están desconectadas?")
    assert "Tiendas afectadas" in turn.text


async def test_organizations_never_see_each_other(chat) -> None:
    hank = await chat("hank")
    turn = await hank.say("are my integrations ok?")
    assert "Uber Eats — Harbor" in turn.text and "Harbor / Harbor Pizza" in turn.text
    for word in ("Downtown", "Burger Barn", "Taco Town", "Riverside", "Airport", "Olivia"):
        assert word not in turn.text
    turn = await hank.say("is DoorDash working at Downtown?")
    assert "Downtown / " not in turn.text and "Burger Barn" not in turn.text
    assert "Harbor" in turn.text  # his own locations, offered instead

    olivia = await chat("olivia")
    turn = await olivia.say("are my integrations ok?")
    assert "Harbor" not in turn.text
    turn = await olivia.say("is Uber Eats working at Harbor?")
    assert "Harbor / Harbor Pizza" not in turn.text and "Uber Eats — Harbor" not in turn.text


async def test_a_button_the_bot_offered_reaches_the_bot(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is DoorDash working at Downtown?")
    after = await olivia.click(turn, "Reconnect DoorDash — main")
    assert "DoorDash — main" in after.text
