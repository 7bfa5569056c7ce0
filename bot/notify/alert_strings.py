"""The words around live alerts, in every supported language (en, fr, es).

What broke and how to fix it come from the provider catalog (:mod:`bot.platform.providers`);
this table holds only the frame: greetings, labels, subjects, "reply FIX".
"""

from __future__ import annotations

from typing import Final

STRINGS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "brand": "Merchant assistant",
        "is_disconnected": "is disconnected at",
        "fix_it": "Fix it",
        "reply_fix": "or reply FIX to repair it by text.",
        "hello": "Hello,",
        "problem": "Problem",
        "how_to_fix": "How to fix it",
        "repair": "Repair it",
        "unsubscribe": "Stop these e-mails",
        "several": "{count} stores are disconnected:",
        "subject_single": "{provider} is disconnected at {place}",
        "subject_multi": "{count} stores are disconnected",
        "ticket_title": "STOREFRONT ISSUE",
        "provider": "Provider",
        "store": "Store",
    },
    "fr": {
        "brand": "Assistant marchand",
        "is_disconnected": "est déconnecté à",
        "fix_it": "Pour réparer",
        "reply_fix": "ou répondez FIX pour le réparer par SMS.",
        "hello": "Bonjour,",
        "problem": "Problème",
        "how_to_fix": "Comment réparer",
        "repair": "Réparer",
        "unsubscribe": "Ne plus recevoir ces e-mails",
        "several": "{count} magasins sont déconnectés :",
        "subject_single": "{provider} est déconnecté à {place}",
        "subject_multi": "{count} magasins sont déconnectés",
        "ticket_title": "PROBLÈME DE VITRINE",
        "provider": "Plateforme",
        "store": "Magasin",
    },
    "es": {
        "brand": "Asistente de comercios",
        "is_disconnected": "está desconectado en",
        "fix_it": "Repárelo",
        "reply_fix": "o responda FIX para repararlo por SMS.",
        "hello": "Hola:",
        "problem": "Problema",
        "how_to_fix": "Cómo repararlo",
        "repair": "Reparar",
        "unsubscribe": "Dejar de recibir estos correos",
        "several": "{count} tiendas están desconectadas:",
        "subject_single": "{provider} está desconectado en {place}",
        "subject_multi": "{count} tiendas están desconectadas",
        "ticket_title": "PROBLEMA EN LA TIENDA ONLINE",
        "provider": "Plataforma",
        "store": "Tienda",
    },
}


def strings_for(language: str) -> dict[str, str]:
    """The table for ``language`` (English when it is not supported)."""
    return STRINGS.get(language, STRINGS["en"])
