"""Where the library has nothing: a question that finds nothing is kept without a name; an
expert sees it in `luckor`, writes a regional criterion from it, and an expert of another
municipality approves it; then anyone finds it, labelled with its municipality."""

from __future__ import annotations

from bot.criteria.gaps import GAPS
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, Sent, card_nodes, card_text
from tests.teams.test_criteria_questions import ask, click

ALEX = {"user_id": "user-id-0", "aad_id": "00000000-0000-0000-0000-0000000000020",
        "name": "Alex Wilber", "conversation_id": "a:personal-alex"}  # Lund  # fmt: skip
ADELE = {"user_id": "user-id-2", "aad_id": "00000000-0000-0000-0000-0000000000022",
         "name": "Adele Vance", "conversation_id": "a:personal-adele"}  # Malmö  # fmt: skip
PROCURER = {"user_id": "29:kim", "aad_id": "aad-kim", "name": "Kim",
            "conversation_id": "a:personal-kim"}  # fmt: skip
QUESTION = "Vilka krav ställer vi på konstsnö i skidbackar?"


async def test_a_gap_becomes_a_regional_criterion_approved_by_another_municipality(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await ask(bot, connector, QUESTION, **PROCURER)
    assert bot.node is not None
    (gap,) = await bot.node.store.query(GAPS)
    assert "konstsnö" in gap.data["words"]
    assert "Kim" not in repr(gap.data)  # no name, and not the whole text
    assert "29:kim" not in repr(gap.data)

    assert "Bara registrerade miljöstrateger" in card_text(
        await ask(bot, connector, "luckor", **PROCURER))  # fmt: skip
    gaps = await ask(bot, connector, "luckor", **ALEX)
    assert "konstsnö (1)" in card_text(gaps)
    row = next(
        n for n in card_nodes(gaps) if n.get("type") == "Container" and n.get("selectAction")
    )
    form = await click(bot, connector, row["selectAction"]["data"], **ALEX)
    send = next(n for n in card_nodes(form) if n.get("type") == "Action.Execute")["data"]
    empty = await click(bot, connector, {**send, "name": "Konstsnö"}, **ALEX)
    assert "Fyll i texten" in card_text(empty)  # the form again, what is missing marked
    proposal = {**send, "name": "Konstsnö utan tillsatser", "area": "ovrigt",
                "level": "bas", "type": "teknisk_specifikation",
                "kravtext": "Konstsnö i skidbackar ska tillverkas utan kemiska tillsatser.",
                "verifikat": "Produktblad.", "uppfoljning": "Stickprov i backen."}  # fmt: skip
    done = card_text(await click(bot, connector, proposal, **ALEX))
    assert "LOK-" in done
    # Not searchable before approval; the proposer's own municipality cannot approve it.
    assert "utan kemiska" not in card_text(await ask(bot, connector, QUESTION, **PROCURER))
    (pending,) = [s.card for s in (await _said(bot, connector, "regionala förslag", ALEX))]
    approve = next(n for n in card_nodes(pending) if n.get("verb") == "regional.approve")["data"]
    assert "annan kommun" in card_text(await click(bot, connector, approve, **ALEX))
    approved = await click(bot, connector, approve, **ADELE)
    assert "Regionalt krav (Lund)" in card_text(approved)
    found = card_text(await ask(bot, connector, QUESTION, **PROCURER))
    assert "Konstsnö utan tillsatser" in found
    assert "Regionalt krav (Lund)" in found


async def _said(
    bot: BotServer, connector: ConnectorStandIn, text: str, who: dict[str, str]
) -> list[Sent]:
    connector.clear()
    await bot.post(activities.message(connector.url, text, **who))
    return connector.sent
