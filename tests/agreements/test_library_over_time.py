"""An agreement keeps the criterion text it was signed with; when an import changes or
withdraws that criterion, its responsible person hears it once (the follow-up card, showing
the signed text and what changed) and the area's experts get one summary."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.agreements.service import LIBRARY_CHANGE, LIBRARY_SUMMARY
from bot.criteria import ParsedFile
from bot.criteria.library import sample_criteria
from bot.messaging import Person
from bot.routing import NetworkRepository
from tests.agreements.conftest import ANNA, Setup, agreement
from tests.routing.conftest import expert, network_of
from tests.support.connector import card_text

NEW_TEXT = "Rengöringsmedel ska vara miljömärkta med Svanen eller EU Ecolabel."


async def _changed_library(setup: Setup, full: bool = False) -> ParsedFile:
    """The sample stored as the library, then 11567 (bas) in a version 2 with a new text."""
    sample = sample_criteria()
    await setup.library.import_parsed(ParsedFile(sample, []))
    current = next(c for c in sample if c.key == "11567/bas")
    newer = replace(current, krav_id="11567:2", kravtext=NEW_TEXT)
    rest = [c for c in sample if c.key != "11567/bas" and not (full and c.base_id == "10855")]
    return ParsedFile([newer, *rest], [])


@pytest.mark.calendar
async def test_the_signed_text_stays_and_the_responsible_person_hears_of_the_change(
    setup: Setup,
) -> None:
    changed = await _changed_library(setup, full=True)
    network = network_of(3, setup.clock.now())  # and Eva, the expert of the criteria's area
    network.experts["aad-eva"] = expert(9, areas=("stad-och-kemikalier",))
    await NetworkRepository(setup.store).save(network)
    eva = Person("29:expert-9", "aad-expert-9", "Eva", "sv-SE")
    setup.people.known["teams:29:expert-9"] = eva
    signed = await setup.service.register(agreement(setup.clock.today()), "29:anna")
    criterion = signed.criterion("11567")
    assert criterion is not None
    assert criterion.signed is not None
    old_text = criterion.signed.kravtext
    assert criterion.signed.version == 1

    report = await setup.library.import_parsed(changed, full=True)
    assert sorted((c.key, c.kind) for c in report.changes) == [
        ("10855/bas", "withdrawn"), ("11567/bas", "changed")]  # fmt: skip
    scheduled = await setup.service.library_changed(report.changes)
    assert scheduled >= 2
    outcome = await setup.outbox.run()
    assert outcome.count(LIBRARY_CHANGE) == 2  # 11567 changed, 10855 withdrawn
    assert outcome.count(LIBRARY_SUMMARY) == 1  # the area's expert: one summary
    (summary,) = setup.messenger.direct_to(eva.user_id)
    assert "- Städkemikalier (11567, bas): ändrat (Kravtext)" in card_text(summary)
    assert "\\-" not in card_text(summary)  # a markdown list, not escaped dashes
    cards = [card_text(c) for c in setup.messenger.direct_to(ANNA.user_id)]
    about_11567 = next(t for t in cards if "11567" in t and "version 2" in t)
    assert old_text[:60] in about_11567  # what the supplier signed, not today's text
    assert NEW_TEXT not in about_11567
    assert "jämför 11567 v1 v2" in about_11567
    assert any("utgick ur kriteriebiblioteket" in t for t in cards)
    # Once per change: another round sends nothing more.
    again = await setup.outbox.run()
    assert again.count(LIBRARY_CHANGE) == 0
    # An edit of the agreement keeps the signed text.
    edited = await setup.service.register(agreement(setup.clock.today(), supplier="Nytt AB"),
                                          "29:anna")  # fmt: skip
    kept = edited.criterion("11567")
    assert kept is not None
    assert kept.signed is not None
    assert kept.signed.kravtext == old_text


async def test_a_register_naming_an_older_version_signs_that_text(setup: Setup) -> None:
    changed = await _changed_library(setup)
    await setup.library.import_parsed(changed)
    values = agreement(setup.clock.today(), criteria="11567:1, 10855:1")
    signed = (await setup.service.register(values, "29:anna")).criterion("11567")
    assert signed is not None
    assert signed.signed is not None
    assert (signed.krav_id, signed.signed.version) == ("11567", 1)
    assert signed.signed.kravtext != NEW_TEXT
    current = (await setup.service.register(agreement(setup.clock.today(), title="Nytt"),
                                            "29:anna")).criterion("11567")  # fmt: skip
    assert current is not None
    assert current.signed is not None
    assert (current.krav_id, current.signed.kravtext) == ("11567:2", NEW_TEXT)
