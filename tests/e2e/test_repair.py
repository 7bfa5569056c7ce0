"""Repair end to end over the web chat: pairing links, 2FA codes in chat, portal steps,
permissions — each test starting from the demo data as DEMO.md describes it."""

from __future__ import annotations

import httpx
import pytest

from bot.config import get_settings
from bot.identity import Identity, sign_identity
from bot.launcher import Stack
from tests.e2e.repair_support import (
    link_in,
    open_page,
    post_code,
    post_credentials,
    sandbox,
    status_of,
)

pytestmark = pytest.mark.usefixtures("fresh_demo")


async def test_olivia_fixes_uber_eats_through_the_pairing_page(chat) -> None:
    olivia = await chat("olivia")
    status = await olivia.say("are my Uber Eats stores disconnected?")
    turn = await olivia.click(status, "Reconnect Uber Eats — main")
    url = link_in(turn)
    assert "10 minutes" in turn.text and "password" in turn.text
    again = await olivia.click(status, "Reconnect Uber Eats — main")
    assert "already used" in again.text and open_page(url).status == 200  # still one link

    page = open_page(url)
    assert page.status == 200 and 'name="password"' in page.html
    page = post_credentials(url, "ubereats@demo-kitchen.test", "demo-password")
    assert page.outcome == "succeeded", page.html

    turn = await olivia.next_turn()  # the conversation continues by itself
    assert "Uber Eats — main" in turn.text
    assert "Downtown / Burger Barn" in turn.text and "Airport / Burger Barn" in turn.text

    turn = await olivia.say("are my Uber Eats stores disconnected?")
    assert "Uber Eats — main" not in "\n".join(
        m.get("text", "") for m in turn.messages if "Working" not in m.get("text", "")
    )
    assert "Reconnect Uber Eats — main" not in turn.button_titles

    assert open_page(url).status == 410  # the link was used once


async def test_olivia_fixes_doordash_with_a_wrong_code_first(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is DoorDash working at Downtown?")
    turn = await olivia.click(turn, "Reconnect DoorDash — main")
    url = link_in(turn)

    page = post_credentials(url, "doordash@demo-kitchen.test", "demo-password")
    assert page.step, page.html  # the page asks for the code too
    turn = await olivia.next_turn()
    assert "code" in turn.text

    turn = await olivia.say("135791")
    assert "code" in turn.text and "4" in turn.text  # asked again, four tries left
    turn = await olivia.say("246810")
    assert "DoorDash — main" in turn.text
    assert "Downtown / Burger Barn" in turn.text and "Downtown / Taco Town" in turn.text

    turn = await olivia.say("is DoorDash working at Downtown?")
    assert turn.button_titles == []
    assert "Working" in turn.text or "Everything is working" in turn.text


async def test_five_wrong_codes_lock_the_account_and_a_person_takes_over(chat, stack) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is DoorDash working at Downtown?")
    turn = await olivia.click(turn, "Reconnect DoorDash — main")
    post_credentials(link_in(turn), "doordash@demo-kitchen.test", "demo-password")
    await olivia.next_turn()
    for wrong in ("111111", "222222", "333333", "444444"):
        turn = await olivia.say(wrong)
    turn = await olivia.say("555555")
    assert "15 minutes" in turn.text or "locked" in turn.text
    assert "I'm passing this to a person from our support team." in turn.text
    turn = await olivia.say("246810")  # handed off: goes to support, the bot says nothing
    assert turn.messages == []
    turn = await olivia.say("cancel")
    assert "you're back with the assistant" in turn.text

    turn = await olivia.say("246810")  # even the right code does nothing now
    assert "Downtown / Taco Town" not in turn.text or "connected again" not in turn.text
    turn = await olivia.say("is DoorDash working at Downtown?")
    assert "DoorDash — main" in turn.text and "2FA" in turn.text


async def test_a_wrong_password_is_said_and_a_new_link_offered(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("are my Uber Eats stores disconnected?")
    turn = await olivia.click(turn, "Reconnect Uber Eats — main")
    url = link_in(turn)
    page = post_credentials(url, "ubereats@demo-kitchen.test", "not-the-password")
    assert page.outcome == "wrong_password"
    turn = await olivia.next_turn()
    assert "Uber Eats" in turn.text
    turn = await olivia.click(turn, "link")
    new_url = link_in(turn)
    assert new_url != url
    assert post_credentials(new_url, "x@y.test", "demo-password").outcome == "succeeded"
    turn = await olivia.next_turn()
    assert "Airport / Burger Barn" in turn.text


async def test_deliveroo_steps_completed_then_resolved(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is Deliveroo working?")
    assert "Restaurant Hub" in turn.text
    assert "I've completed these steps" in turn.button_titles
    assert "I'll do this later" in turn.button_titles
    turn = await olivia.click(turn, "I've completed these steps")
    assert "Riverside / Taco Town" in turn.text
    turn = await olivia.say("is Deliveroo working?")
    assert turn.button_titles == []


async def test_deliveroo_still_inactive_is_not_resolved(chat, stack) -> None:
    sandbox(
        stack,
        "dr-river",
        inject=[
            {
                "on": "check",
                "error_type": "invalid_store_configuration",
                "error_case": "inactive_restaurant",
            }
        ],
    )
    olivia = await chat("olivia")
    turn = await olivia.say("is Deliveroo working?")
    turn = await olivia.click(turn, "I've completed these steps")
    assert "inactive" in turn.text
    titles = [title.lower() for title in turn.button_titles]
    assert any("try again" in title for title in titles)
    assert any("support" in title for title in titles)
    turn = await olivia.click(turn, "Try again")  # no injection left: resolved now
    assert "Riverside / Taco Town" in turn.text


async def test_later_keeps_the_account_needing_attention(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("is Deliveroo working?")
    turn = await olivia.click(turn, "I'll do this later")
    assert "Deliveroo" in turn.text
    turn = await olivia.say("is Deliveroo working?")
    assert "inactive" in status_of(turn, "Deliveroo — Riverside")


async def test_uber_eats_login_fix_leads_to_a_reconnect(chat) -> None:
    """The guide's last step: after the portal fix, sign in with the new e-mail/password."""
    olivia = await chat("olivia")
    turn = await olivia.say("is Uber Eats working at Riverside?")
    assert "Google or Apple" in turn.text
    turn = await olivia.click(turn, "I've completed these steps")
    turn = await olivia.click(turn, "Reconnect Uber Eats — Riverside")
    url = link_in(turn)
    assert post_credentials(url, "new-admin@demo-kitchen.test", "demo-password").outcome == (
        "succeeded"
    )
    turn = await olivia.next_turn()
    assert "Riverside / Taco Town" in turn.text


async def test_a_new_error_after_pairing_is_said_and_repaired(chat, stack) -> None:
    sandbox(
        stack,
        "gl-main",
        inject=[{"on": "pairing", "error_type": "invalid_credentials", "error_case": None}],
    )
    olivia = await chat("olivia")
    turn = await olivia.say("reconnect my Glovo account")
    url = link_in(turn)
    page = post_credentials(url, "glovo@demo-kitchen.test", "demo-password")
    assert page.step
    await olivia.next_turn()
    turn = await olivia.say("246810")
    assert "Glovo" in turn.text and "Reconnect Glovo — main" in turn.button_titles
    turn = await olivia.click(turn, "Reconnect Glovo — main")
    url = link_in(turn)
    page = post_credentials(url, "glovo@demo-kitchen.test", "demo-password")
    await olivia.next_turn()  # the bot asks for the code
    assert post_code(url, page.step or "", "246810").outcome == "succeeded"
    turn = await olivia.next_turn()
    assert "Downtown / Taco Town" in turn.text


async def test_olivia_reconnects_glovo_in_french_with_the_code_on_the_page(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("je voudrais reconnecter mon compte Glovo s'il vous plaît")
    url = link_in(turn)
    assert "minutes" in turn.text and "mot de passe" in turn.text
    page = open_page(url)
    assert "Mot de passe" in page.html or "mot de passe" in page.html
    page = post_credentials(url, "glovo@demo-kitchen.test", "demo-password")
    await olivia.next_turn()
    page = post_code(url, page.step or "", "246810")
    assert page.outcome == "succeeded"
    turn = await olivia.next_turn()
    assert "Downtown / Taco Town" in turn.text


async def test_sofia_is_not_authorized_and_asks_olivia(chat) -> None:
    sofia = await chat("sofia")
    turn = await sofia.say("quiero reconectar mi cuenta de Glovo")
    assert "Olivia Owner" in turn.text and "autoriz" in turn.text
    assert "http" not in turn.text
    turn = await sofia.click(turn, "Olivia")
    assert "Olivia Owner" in turn.text

    olivia = await chat("olivia")
    turn = await olivia.say("is Glovo working?")
    assert "Sofia Staff" in status_of(turn, "Glovo — main")


async def test_marc_gets_the_deliveroo_steps_read_only(chat) -> None:
    marc = await chat("marc")
    turn = await marc.say("est-ce que Deliveroo fonctionne ?")
    assert "Restaurant Hub" in turn.text and "Olivia Owner" in turn.text
    assert turn.button_titles == []


async def test_hank_cannot_start_read_or_complete_a_pairing_of_another_org(
    chat, stack: Stack, user_ids: dict
) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("are my Uber Eats stores disconnected?")
    turn = await olivia.click(turn, "Reconnect Uber Eats — main")
    url = link_in(turn)

    secret = get_settings().identity_secret.get_secret_value()
    hank = sign_identity(Identity(user_ids["hank"], "web:hank-probe", "web"), secret, 60)
    headers = {"Authorization": f"Bearer {hank}"}
    api = f"{stack.platform_url}/api/v1/repair"
    for method, path, body in (
        ("POST", "/pairings", {"account_id": "ue-main", "lang": "en"}),
        ("POST", "/accounts/dr-river/check", {"lang": "en"}),
        ("POST", "/accounts/ue-main/requests", {}),
    ):
        response = httpx.request(method, api + path, json=body, headers=headers)
        assert response.status_code == 403, (path, response.text)
    current = httpx.get(f"{api}/pairings/current", headers=headers)
    assert current.status_code == 404

    hank_chat = await chat("hank")
    turn = await hank_chat.say("reconnect ue-main")
    assert "Burger Barn" not in turn.text and "Uber Eats — main" not in turn.text
    turn = await hank_chat.say("246810")
    assert "Burger Barn" not in turn.text

    # Olivia's link still works: nothing of hers changed.
    assert open_page(url).status == 200
    turn = await olivia.say("is Deliveroo working?")
    assert "inactive" in status_of(turn, "Deliveroo — Riverside")


async def test_the_2fa_loop_in_spanish(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("quiero reconectar mi cuenta de DoorDash, por favor")
    url = link_in(turn)
    assert "contraseña" in turn.text and "minutos" in turn.text
    assert "Contraseña de DoorDash" in open_page(url).html
    page = post_credentials(url, "doordash@demo-kitchen.test", "demo-password")
    turn = await olivia.next_turn()
    assert "código" in turn.text
    turn = await olivia.say("el código es 975310")
    assert "código" in turn.text and "4" in turn.text
    turn = await olivia.say("246810")
    assert "De nuevo en línea" in turn.text
    assert "Downtown / Burger Barn" in turn.text and "Downtown / Taco Town" in turn.text
    assert page.step  # the page offered the code form as well


async def test_the_portal_steps_loop_in_french_and_spanish(chat) -> None:
    olivia = await chat("olivia")
    turn = await olivia.say("est-ce que Uber Eats fonctionne à Riverside ?")
    assert "Google ou Apple" in turn.text
    turn = await olivia.click(turn, "J'ai terminé ces étapes")
    turn = await olivia.click(turn, "Reconnecter Uber Eats — Riverside")
    url = link_in(turn)
    assert "mot de passe" in turn.text
    assert post_credentials(url, "admin@demo-kitchen.test", "demo-password").outcome == (
        "succeeded"
    )
    turn = await olivia.next_turn()
    assert "De nouveau en ligne" in turn.text and "Riverside / Taco Town" in turn.text

    turn = await olivia.say("¿mi cuenta de Deliveroo funciona bien en Riverside?")
    assert "Restaurant Hub" in turn.text
    turn = await olivia.click(turn, "He completado estos pasos")
    assert "de nuevo en línea" in turn.text and "Riverside / Taco Town" in turn.text
