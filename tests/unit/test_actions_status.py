"""action_status against a stand-in platform (httpx.MockTransport serving the contract)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.status import ActionStatus
from tests.unit.actions_standin import PlatformStandIn
from tests.unit.trackers import entity, payload_json, tracker

ORGANIZATION_WORDS = ("Demo Kitchen", "Burger Barn", "Taco Town", "Uber Eats — main", "Harbor")


async def ask(
    text: str,
    token: str | None,
    entities: list[dict[str, Any]] | None = None,
    platform: PlatformStandIn | None = None,
) -> tuple[list[dict[str, Any]], PlatformStandIn]:
    platform = platform or PlatformStandIn()
    dispatcher = CollectingDispatcher()
    events = await ActionStatus(platform.client()).run(
        dispatcher, tracker(text, "status", token, entities), {}
    )
    # Nothing but the conversation's language (when not the profile's) is remembered.
    assert [e for e in events if e.get("name") != "conversation_language"] == []
    return dispatcher.messages, platform


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [b for m in messages for b in m["buttons"]]


async def test_olivia_sees_every_broken_account_with_next_steps() -> None:
    messages, platform = await ask("are my integrations ok?", "tok-olivia")
    text = texts(messages)
    assert messages[0]["text"] == "5 integrations need attention:"
    for label in (
        "Uber Eats — main",
        "DoorDash — main",
        "Deliveroo — Riverside",
        "Uber Eats — Riverside",
        "Glovo — main",
    ):
        assert label in text
    assert "the saved login no longer works" in text
    assert "Stores affected: Downtown / Burger Barn, Airport / Burger Barn" in text
    assert "1. Sign in to Restaurant Hub." in text
    assert "Contact: Deliveroo partner support (Restaurant Hub)" in text
    assert platform.status_calls() == [{"lang": "en"}]


async def test_reconnect_buttons_only_for_accounts_the_user_may_reconnect() -> None:
    messages, _ = await ask("are my integrations ok?", "tok-olivia")
    found = [b for b in buttons(messages) if b["payload"].startswith("/repair_reconnect{")]
    assert [b["title"] for b in found] == [
        "Reconnect Uber Eats — main",
        "Reconnect DoorDash — main",
        "Reconnect Glovo — main",
    ]
    assert [payload_json(b) for b in found] == [
        {"account_id": "ue-main"},
        {"account_id": "dd-main"},
        {"account_id": "gl-main"},
    ]


async def test_portal_steps_get_completed_and_later_buttons_for_a_manager() -> None:
    messages, _ = await ask("are my integrations ok?", "tok-olivia")
    deliveroo = next(m for m in messages if m["text"].startswith("Deliveroo"))
    assert [(b["title"], b["payload"]) for b in deliveroo["buttons"]] == [
        ("I've completed these steps", '/repair_steps_done{"account_id":"dr-river"}'),
        ("I'll do this later", '/repair_later{"account_id":"dr-river"}'),
    ]


async def test_a_requested_repair_shows_who_asked() -> None:
    platform = PlatformStandIn()
    platform.requested_by["gl-main"] = ["Sofia Staff", "Marc Manager"]
    messages, _ = await ask("are my integrations ok?", "tok-olivia", platform=platform)
    glovo = next(m["text"] for m in messages if m["text"].startswith("Glovo"))
    assert "Sofia Staff and Marc Manager asked for this to be fixed." in glovo
    uber = next(m["text"] for m in messages if m["text"].startswith("Uber Eats — main"))
    assert "asked for this" not in uber


async def test_healthy_accounts_get_one_summary_line() -> None:
    messages, _ = await ask("are my integrations ok?", "tok-olivia")
    working = [m["text"] for m in messages if "Grubhub — main" in m["text"]]
    assert working == [
        "Working: DoorDash — Riverside (connected, not active yet), "
        "Grubhub — main, Just Eat — main."
    ]
    assert messages[-1]["text"] == working[0]


async def test_a_stale_guide_says_when_it_was_last_verified() -> None:
    messages, _ = await ask("are my integrations ok?", "tok-olivia")
    deliveroo = next(m["text"] for m in messages if m["text"].startswith("Deliveroo"))
    uber_river = next(m["text"] for m in messages if m["text"].startswith("Uber Eats — Riverside"))
    assert "last verified on 2024-01-15" in deliveroo
    assert "last verified" not in uber_river


async def test_sofia_is_told_who_can_act_in_spanish() -> None:
    messages, _ = await ask("estado", "tok-sofia")
    text = texts(messages)
    assert messages[0]["text"] == "5 integraciones necesitan atención:"
    assert (
        "Usted no está autorizado a reconectar Glovo — main; Olivia Owner sí puede. "
        "¿Quiere que envíe el aviso?"
    ) in text
    assert "la comprobación posterior de la conexión le corresponde a Olivia Owner" in text
    assert "Funcionan: DoorDash — Riverside (conectada, aún no activada)" in text
    # Read-only portal steps; one "Avisar a" button per account she may not reconnect.
    assert [(b["title"], payload_json(b)) for b in buttons(messages)] == [
        ("Avisar a Olivia Owner", {"account_id": "ue-main"}),
        ("Avisar a Olivia Owner", {"account_id": "dd-main"}),
        ("Avisar a Olivia Owner", {"account_id": "gl-main"}),
    ]
    assert all(b["payload"].startswith("/repair_notify_managers{") for b in buttons(messages))


async def test_a_clearly_french_message_gets_a_french_answer_whatever_the_profile() -> None:
    messages, platform = await ask("mes intégrations sont-elles connectées ?", "tok-sofia")
    assert messages[0]["text"] == "5 intégrations demandent votre attention :"
    assert "Magasins touchés" in texts(messages)
    assert platform.status_calls() == [{"lang": "fr"}]


async def test_provider_and_location_filters_reach_the_platform() -> None:
    text = "is DoorDash working at Downtown?"
    entities = [entity("provider", "DoorDash", text), entity("location", "Downtown", text)]
    messages, platform = await ask(text, "tok-marc", entities)
    assert platform.status_calls() == [
        {"provider": "doordash", "location": "Downtown", "lang": "en"}
    ]
    assert messages[0]["text"] == "1 integration needs attention for DoorDash at Downtown:"
    assert messages[1]["text"].endswith(
        "You're not authorized to reconnect DoorDash — main; Olivia Owner can. "
        "Want me to let them know?"
    )
    assert [b["title"] for b in buttons(messages)] == ["Notify Olivia Owner"]


async def test_provider_aliases_in_the_text_are_resolved_without_an_entity() -> None:
    text = "anything broken with UberEats at Airport right now?"
    messages, platform = await ask(text, "tok-olivia")
    # The NLU found no entity: the alias comes from the provider catalog, and the location
    # from the locations of the first answer, which a second request then filters on.
    assert platform.status_calls() == [
        {"provider": "ubereats", "lang": "en"},
        {"provider": "ubereats", "location": "Airport", "lang": "en"},
    ]
    assert "Uber Eats — main" in texts(messages)
    assert "Uber Eats — Riverside" not in texts(messages)


async def test_everything_working_is_one_line() -> None:
    text = "is Grubhub ok?"
    messages, _ = await ask(text, "tok-olivia", [entity("provider", "Grubhub", text)])
    assert [m["text"] for m in messages] == ["Everything is working for Grubhub: Grubhub — main."]


async def test_an_unknown_provider_is_named_with_the_known_ones() -> None:
    text = "is Foodora working?"
    messages, _ = await ask(text, "tok-olivia", [entity("provider", "Foodora", text)])
    assert len(messages) == 1
    assert messages[0]["text"].startswith('I don\'t know a delivery provider called "Foodora".')
    assert "Uber Eats, DoorDash" in messages[0]["text"]


async def test_an_unknown_location_lists_the_users_locations() -> None:
    text = "est-ce que mes magasins de Midtown sont bien connectés ?"
    messages, _ = await ask(text, "tok-olivia", [entity("location", "Midtown", text)])
    assert [m["text"] for m in messages] == [
        "Je ne trouve aucun établissement appelé « Midtown » dans votre organisation. "
        "Vos établissements : Airport, Downtown et Riverside."
    ]


async def test_an_unverified_sender_gets_general_help_and_nothing_about_any_organization() -> None:
    for token in ("forged-token", None):
        messages, platform = await ask("are my integrations ok?", token)
        text = texts(messages)
        assert text.startswith("I can't confirm who you are from here")
        assert "link your account" in text
        assert not any(word in text for word in ORGANIZATION_WORDS)
        assert platform.status_calls() == []


async def test_another_organization_sees_only_its_own_accounts() -> None:
    messages, _ = await ask("which stores are disconnected?", "tok-hank")
    text = texts(messages)
    assert "Uber Eats — Harbor" in text
    assert not any(word in text for word in ("Burger Barn", "Taco Town", "Downtown"))


async def test_an_unreachable_platform_is_said_plainly() -> None:
    unreachable = PlatformStandIn(available=False)
    messages, _ = await ask("are my integrations ok?", "tok-olivia", platform=unreachable)
    assert [m["text"] for m in messages] == [
        "I can't reach the integrations service right now, please try again in a minute."
    ]
