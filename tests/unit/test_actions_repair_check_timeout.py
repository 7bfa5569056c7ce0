"""After the portal steps, the provider does not answer the check: the bot says so in the
user's language, offers Try again, and nothing changes (the real platform app in process)."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from actions.repair_steps import ActionRepairStepsDone
from bot.platform.models import StoreLink
from tests.unit.platform_inprocess import INTERNAL, InProcessPlatform, open_platform, run_action

OLIVIA = "olivia@demo-kitchen.test"
SLOW = {"provider_timeout_seconds": 0.3, "sandbox_hang_seconds": 1.0}


def _states(platform: InProcessPlatform) -> list[tuple[str, str | None]]:
    statement = select(StoreLink).where(StoreLink.account_id == "dr-river")
    return platform.query(
        lambda s: [(link.state, link.error_type) for link in s.scalars(statement)]
    )


async def test_a_check_the_provider_does_not_answer_is_said_in_each_language(
    demo_db_url,
) -> None:
    async with open_platform(demo_db_url, InProcessPlatform, **SLOW) as platform:
        before = _states(platform)
        said = {}
        for lang in ("en", "fr", "es"):
            fault = {"method": "check", "target": "dr-river", "error": "hang"}
            queued = await platform.http.post(
                "/internal/sandbox/faults", json=fault, headers=INTERNAL
            )
            assert queued.status_code == 201
            text = "/repair_steps_done" + json.dumps({"account_id": "dr-river"})
            entities = [{"entity": "account_id", "value": "dr-river"}]
            slots = {"conversation_language": lang, "account_id": "dr-river"}
            action = ActionRepairStepsDone(platform.client)
            token = platform.token(OLIVIA)
            [message], _ = await run_action(
                action, token, text, "repair_steps_done", entities, slots
            )
            said[lang] = message["text"].split(",")[0]
            assert len(message["buttons"]) == 2  # Try again, Contact support
        assert said == {
            "en": "Deliveroo isn't responding right now",
            "fr": "Deliveroo ne répond pas pour le moment : je n'ai pas pu vérifier si les"
            " étapes ont fonctionné. Rien n'a été modifié : réessayez dans quelques minutes",
            "es": "Deliveroo no responde en este momento",
        }
        await asyncio.sleep(1.0)  # the hung checks end on their own
        assert _states(platform) == before
