"""Activity JSON as Teams sends it, for POSTing to /api/messages."""

from __future__ import annotations

import itertools
from typing import Any

TENANT = "tenant-skane"
BOT_ID = "28:bot-miljokravsnoden"
_ids = itertools.count(1)


def _base(
    service_url: str,
    kind: str,
    conversation_type: str = "personal",
    conversation_id: str | None = None,
    locale: str = "sv-SE",
    user_id: str = "29:user-alex",
    tenant: str = TENANT,
    aad_id: str = "aad-alex",
    name: str = "Alex Wilber",
) -> dict[str, Any]:
    conversation_id = conversation_id or (
        "a:personal-alex" if conversation_type == "personal" else "19:general@thread.tacv2"
    )
    conversation: dict[str, Any] = {
        "id": conversation_id,
        "conversationType": conversation_type,
        "tenantId": tenant,
    }
    if conversation_type == "channel":
        conversation["isGroup"] = True
    channel_data: dict[str, Any] = {"tenant": {"id": tenant}}
    if conversation_type == "channel":
        channel_data["team"] = {"id": "19:team@thread.tacv2", "name": "My Team"}
        channel_data["channel"] = {"id": conversation_id, "name": "General"}
    return {
        "type": kind,
        "id": f"act-{next(_ids)}",
        "timestamp": "2026-11-25T09:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "name": name, "aadObjectId": aad_id},
        "recipient": {"id": BOT_ID, "name": "Miljökravsnoden"},
        "conversation": conversation,
        "channelData": channel_data,
        "locale": locale,
    }


def message(service_url: str, text: str, **kwargs: Any) -> dict[str, Any]:
    activity = _base(service_url, "message", **kwargs)
    if activity["conversation"]["conversationType"] == "channel":
        # In channels the bot only hears messages that @mention it.
        activity["text"] = f"<at>Miljökravsnoden</at> {text}"
        activity["entities"] = [
            {
                "type": "mention",
                "text": "<at>Miljökravsnoden</at>",
                "mentioned": {"id": BOT_ID, "name": "Miljökravsnoden"},
            }
        ]
    else:
        activity["text"] = text
    return activity


def submit(service_url: str, value: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Action.Submit on a card: a message with a value and no text."""
    activity = _base(service_url, "message", **kwargs)
    activity["value"] = value
    return activity


def bot_added(service_url: str, **kwargs: Any) -> dict[str, Any]:
    activity = _base(service_url, "conversationUpdate", **kwargs)
    activity["membersAdded"] = [{"id": BOT_ID}]
    if activity["conversation"]["conversationType"] == "channel":
        activity["channelData"]["eventType"] = "teamMemberAdded"
    return activity


def invoke(
    service_url: str, invoke_name: str, value: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    activity = _base(service_url, "invoke", **kwargs)
    activity["name"] = invoke_name
    activity["value"] = value
    return activity


def execute(service_url: str, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Action.Execute on a card (Universal Actions): an adaptiveCard/action invoke."""
    action = {"type": "Action.Execute", "verb": data["verb"], "data": data}
    return invoke(
        service_url, "adaptiveCard/action", {"action": action, "trigger": "manual"}, **kwargs
    )
