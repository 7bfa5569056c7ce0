"""A long conversation stays correct across the new Rasa sessions the gateway opens."""

from __future__ import annotations

import httpx

from bot.config import get_settings
from bot.launcher import Stack
from tests.e2e.conftest import SESSION_MAX_TURNS


async def test_answers_stay_right_across_session_boundaries(stack: Stack, chat) -> None:
    olivia = await chat("olivia")
    for _ in range(3):
        turn = await olivia.say("is DoorDash working at Downtown?")
        assert "DoorDash — main" in turn.text and "Downtown / Taco Town" in turn.text
        assert turn.button_titles == ["Reconnect DoorDash — main"]
        turn = await olivia.say("is Grubhub ok?")
        assert "Grubhub — main" in turn.text and "Uber Eats" not in turn.text
        turn = await olivia.say("mes intégrations sont-elles connectées ?")
        assert "Magasins touchés" in turn.text

    tracker = httpx.get(
        f"{stack.rasa_url}/conversations/{olivia.conversation_id}/tracker",
        params={"token": get_settings().rasa_token.get_secret_value()},
    ).json()
    # Rasa's tracker API returns every session: the first, then a new one before turns
    # 5 and 9 (one after every SESSION_MAX_TURNS turns), each after a user message.
    kinds = [e["event"] for e in tracker["events"] if e["event"] in ("user", "session_started")]
    starts = [i for i, kind in enumerate(kinds) if kind == "session_started"]
    assert len(starts) == 1 + (9 - 1) // SESSION_MAX_TURNS
    assert starts[1] == 1 + SESSION_MAX_TURNS  # after turn 4
    assert kinds.count("user") == 9
