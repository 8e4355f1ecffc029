"""Every card, filled with real data, goes through the official Adaptive Cards renderer in
headless Chromium: any parse or validation problem fails the test."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from bot.criteria import CriteriaLibrary, Criterion
from bot.criteria.gaps import GapGroup
from bot.criteria.library import Change, ImportReport
from bot.criteria.model import CriterionType, Level
from bot.criteria.regional import Proposal
from bot.i18n import texts_for
from bot.places import MUNICIPALITIES
from bot.routing.tickets import ANSWERED, CLAIMED, Ticket
from bot.stats import (
    FollowUps,
    Month,
    Municipality,
    Period,
    Procurements,
    Questions,
    Share,
    Statistics,
    Survey,
)
from bot.teams import COMMANDS
from cards import (
    ROLE_ASKER,
    ROLE_ASSIGNEE,
    ROLE_EXPERT,
    ROLE_OTHER,
    AnswerHit,
    answer_card,
    answer_notice_card,
    ask_form_card,
    compare_card,
    criterion_card,
    help_card,
    levels_card,
    message_card,
    no_answer_card,
    on_call_card,
    receipt_card,
    ticket_card,
    ticket_list_card,
    welcome_card,
)
from tests.conftest import INSTANT, TODAY
from tests.routing.conftest import AREA, network_of
from tests.support.browser import render_cards

ZONE = ZoneInfo("Europe/Stockholm")
SUGGESTED = tuple(spec for spec in COMMANDS if spec.suggested)
ANSWER_ID = "20261130a1b2c3d4e5f6"

QUESTIONS = [
    "Vilka miljökrav kan jag ställa på städtjänster?",
    "alternativa drivmedel spjutspets",
    "Hur skriver jag en uppföljningsplan?",
    "energieffektiva datorer tilldelningskriterium",
    "[länk](https://x.example) **fet** <script>",
]


def all_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        cards += [
            (f"welcome/{language}", welcome_card(texts, SUGGESTED)),
            (f"help/{language}", help_card(texts, COMMANDS.specs)),
            (f"message/{language}", message_card("**inte fet** [x](y)", title="Rubrik")),
            (f"no-answer/{language}", no_answer_card("vad kostar en glass", texts)),
        ]
        for question in QUESTIONS:
            answer = library.answer(question)
            hits = []
            for hit in answer.hits:
                kind, _, key = hit.document.id.partition("/")
                entry = (
                    library.criterion(hit.document.id)
                    if hit.document.kind == "criterion"
                    else library.guide(key)
                )
                assert entry is not None, kind
                hits.append(AnswerHit(entry, hit.other_levels))
            cards.append(
                (
                    f"answer/{language}/{question}",
                    answer_card(question, hits, texts, answer_id=ANSWER_ID, weak=True),
                )
            )
    texts = texts_for("sv")
    criteria = sorted({c.base_id: c for c in library._criteria.values()}.values(), key=str)
    for criterion in library._criteria.values():
        cards.append((f"criterion/{criterion.key}", criterion_card(criterion, texts)))
    for criterion in criteria:
        cards.append(
            (
                f"levels/{criterion.base_id}",
                levels_card(library.levels_of(criterion.krav_id), texts),
            )
        )
    picked = [library.levels_of(i)[0] for i in ("11567", "10699:2", "LOK-101")]
    cards.append(("compare/3", compare_card(picked, texts)))
    return cards + routing_cards() + sharing_cards(library) + digest_cards()


def digest_cards() -> list[tuple[str, dict[str, Any]]]:
    from bot.digest import WeekContent
    from bot.sharing import MarketAnalysis
    from cards import (
        digest_card,
        gaps_card,
        proposal_card,
        regional_form_card,
        report_card,
        statistics_card,
        survey_card,
    )
    from cards.library import import_done_card, import_preview_card

    analysis = MarketAnalysis(
        "MA1", "Gods", "fordon-och-transport", "", "Lund", "2026-10-01", 3, "S", "",
        "https://x.se/a", "E",
    )  # fmt: skip
    full = WeekContent(
        "2026-W48", analyses=[analysis] * 10, answered=[("it", "Fråga *x*?", "Eva (Lund)")],
        open_questions=[(3, "it", "Öppen fråga")], on_call=[("IT och telekom", "Eva (Lund)")],
        library=[Change("11550/bas", "changed", ("kravtext",), 1, 2, "it",
                         "Energieffektiva servrar")] * 12, asked_this_week=5,
    )  # fmt: skip
    stats = region_statistics()
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        cards += [
            (f"digest/{language}", digest_card(full, texts)),
            (f"digest-quiet/{language}", digest_card(WeekContent("2026-W48"), texts)),
            (f"stats/{language}", statistics_card(stats, texts, report_quarter="2026Q4")),
            (f"stats-empty/{language}", statistics_card(empty_statistics(), texts)),
            (f"report/{language}", report_card(texts, "2026Q4", "https://node.example/files/x")),
            (f"survey/{language}", survey_card(texts, "2026Q4", TODAY)),
            (f"gaps/{language}", gaps_card(GAP_GROUPS, texts)),
            (f"gaps-none/{language}", gaps_card([], texts, "it")),
            (f"regional-form/{language}", regional_form_card(texts, TODAY)),
            (
                f"regional-form-problems/{language}",
                regional_form_card(
                    texts, TODAY, {"name": "ö*" * 200}, {"kravtext": "regional.error.text"}
                ),
            ),
            (f"proposal/{language}", proposal_card(PROPOSAL, texts)),
            (
                f"import-preview/{language}",
                import_preview_card(
                    texts, "export.xlsx", IMPORT_REPORT, {False: "t" * 300, True: "u" * 300}
                ),
            ),
            (
                f"import-refused/{language}",
                import_preview_card(
                    texts,
                    "export.xlsx",
                    ImportReport(rejected=2, errors=["rad 3: x"] * 40, imported=False),
                    {},
                ),
            ),
            (f"import-done/{language}", import_done_card(texts, IMPORT_REPORT)),
            (
                f"survey-problems/{language}",
                survey_card(
                    texts,
                    "2026Q4",
                    TODAY,
                    {"rating": "4", "comment": "ö*" * 500},
                    {"competence": "survey.error.answer", "followed_up": "survey.error.answer"},
                ),
            ),
        ]
    return cards


GAP_GROUPS = [GapGroup(area, 40, "2026-09-01", "2026-11-29",
                       tuple((f"ord{n}", 40 - n) for n in range(8)),
                       ("konstsnö skidbackar", "ponnyridning barnkalas", "glass bilar"))
              for area in ("ovrigt", "okänt", "it")]  # fmt: skip
PROPOSAL = Proposal(
    Criterion("LOK-1004", "Konstsnö utan tillsatser", "ovrigt", "Snö", Level.BAS,
              CriterionType.TEKNISK_SPECIFIKATION, "ö*" * 4000, "Motiv", "Produktblad",
              "Stickprov", source="regional:Lund"),
    "aad-alex", "Alex Wilber", "Lund",
)  # fmt: skip


IMPORT_REPORT = ImportReport(
    added=3,
    updated=40,
    unchanged=900,
    changes=[
        Change(
            f"{10000 + n}/bas",
            "changed" if n % 3 else "withdrawn",
            ("kravtext", "verifikat"),
            1,
            2,
            "it",
            "Energieffektiva servrar " * 3,
            "2026-11-30",
        )
        for n in range(60)
    ],
)


def region_statistics() -> Statistics:
    """Every municipality with follow-ups, plans and questions, a year of months and survey
    answers: the largest `statistik` card."""

    rows = tuple(
        Municipality(name, followups_due=8, followups_on_time=n % 9, followups_late=0,
                     followups_overdue=8 - n % 9 if n % 9 < 8 else 0, plans=3, plans_early=n % 4,
                     shared_analyses=n % 3, questions=10 + n, answered=10, answered_in_time=7)
        for n, name in enumerate(MUNICIPALITIES)
    )  # fmt: skip
    months = tuple(Month(f"2026-{m:02d}", 40 + m, 20 + m, 3, 150 + m) for m in range(1, 13))
    return Statistics(
        Period.quarter(2026, 4), TODAY,
        Questions(400, 380, 20, 12, 40, (0.5, 3.0), (2.5, 20.0), Share(300, 380), 4.0,
                  {"it": 120, "livsmedel": 80, "fordon-och-transport": 60}),
        FollowUps(272, 150, 20, 102, 6, Share(4, 34), Share(3, 34)),
        Procurements(102, Share(51, 102), 4, 12), 30, 25, rows, months,
        Survey(120, 400, 3.9, (5, 10, 20, 50, 35), Share(60, 120), Share(40, 120)),
    )  # fmt: skip


def empty_statistics() -> Statistics:
    return Statistics(Period(), TODAY, Questions(), FollowUps(), Procurements(), 0, 0, (), ())


def sharing_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    from bot.criteria import PublishedAnswer
    from bot.sharing import FollowUpCheck, FollowUpReport, MarketAnalysis
    from bot.sharing.service import FollowUpSummary
    from cards import (
        analysis_form_card,
        followup_form_card,
        followup_summary_text,
        inserted_card,
        inserted_levels_card,
        plan_card,
        shared_item_card,
        shared_list_card,
    )

    analysis = MarketAnalysis(
        "MA1", "Godstransporter *fossilfria*", "fordon-och-transport", "Gods", "Lund",
        "2026-10-01", 7, "Sammanfattning [x](y)", "Iakttagelser", "https://lund.se/a.pdf", "Eva",
    )  # fmt: skip
    report = FollowUpReport(
        "FU1", "Avtal 2024", "", "fordon-och-transport", "Ystad", "2026-10-02",
        (FollowUpCheck("10699:2", "stickprov", "delvis"),), "Fynd", "",
    )  # fmt: skip
    criteria = [library.levels_of(i)[0] for i in ("11567", "10699:2")]
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        summary = FollowUpSummary([report], Counter({"stickprov": 1}), Counter({"delvis": 1}))
        cards += [
            (f"analysis-form/{language}", analysis_form_card(texts, today=TODAY)),
            (f"analysis-form-errors/{language}", analysis_form_card(
                texts, TODAY, {"title": "x", "link": "http://x"},
                {"link": "share.error.link", "date": "share.error.date"})),
            (f"followup-form/{language}",
             followup_form_card(texts, TODAY, {}, {"krav_1": "share.error.krav"})),
            (f"analysis/{language}", shared_item_card(analysis, texts)),
            (f"followup/{language}", shared_item_card(report, texts)),
            (f"shared-list/{language}", shared_list_card("Lista", [analysis, report], texts)),
            (f"plan/{language}", plan_card(criteria, texts, "https://bot.example.se/files/x")),
            (f"criterion-followed/{language}", criterion_card(
                criteria[1], texts, followed_up=followup_summary_text(summary, texts))),
            (f"inserted-criterion/{language}", inserted_card(criteria[1], texts, "Lund: ok")),
            (f"inserted-analysis/{language}", inserted_card(analysis, texts)),
            (f"inserted-followup/{language}", inserted_card(report, texts)),
            (f"inserted-answer/{language}", inserted_card(PublishedAnswer(
                "T1", "Får vi kräva HVO?", "Ja, med *motivering*.", "fordon-och-transport",
                "2026-11-01"), texts)),
            (f"inserted-levels/{language}",
             inserted_levels_card(library.levels_of("10699:2"), texts)),
        ]  # fmt: skip
    return cards


def routing_cards() -> list[tuple[str, dict[str, Any]]]:
    network = network_of(4, INSTANT)
    experts = list(network.experts.values())
    base = Ticket(
        number=12, question="Kan vi kräva **biogas** och <at>utesluta</at> HVO?", area=AREA,
        municipality="Lund", asker_id="29:asker", asker_name="Alex", asker_locale="sv-SE",
        consent_publish=True, created_at=1795600000.0, deadline=1795614400.0, posted=True,
    )  # fmt: skip
    claimed = replace(base, state=CLAIMED, assignee=experts[0].id, claimed_at=1795601000.0)
    answered = replace(
        claimed, state=ANSWERED, answer="Ja, med motivering.", answered_at=1795602000.0
    )
    escalated = replace(base, escalation=2)
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        cards.append(
            (
                f"ask-form/{language}",
                ask_form_card(texts, TODAY, {"question": "x"}, {"question": "ask.error.question"}),
            )
        )
        cards.append((f"on-call/{language}", on_call_card(network, INSTANT, ZONE, texts)))
        cards.append((f"receipt/{language}", receipt_card(base, experts[:1], texts, ZONE)))
        for name, ticket in (("open", base), ("claimed", claimed), ("answered", answered),
                             ("escalated", escalated)):  # fmt: skip
            for role in (ROLE_ASKER, ROLE_ASSIGNEE, ROLE_EXPERT, ROLE_OTHER):
                card = ticket_card(
                    ticket, role, texts, ZONE, expert_of=network.experts.get,
                    area_experts=experts, on_call=experts[0], notice="Meddelande",
                )  # fmt: skip
                cards.append((f"ticket/{name}/{role}/{language}", card))
        cards.append(
            (
                f"list/{language}",
                ticket_list_card(
                    "Lista", [base, claimed, answered], texts, ZONE, network.experts.get
                ),
            )
        )
        cards.append((f"answer-notice/{language}", answer_notice_card(answered, experts[0], texts)))
    return cards


def agreement_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    from datetime import date

    from bot.agreements import Agreement, AgreementCriterion, DueItem, FollowUp, JointTake
    from bot.sharing import FollowUpCheck, FollowUpReport
    from bot.sharing.service import FollowUpSummary
    from cards import (
        AgreementCards,
        agreement_card,
        agreement_form_card,
        agreement_list_card,
        due_list_card,
        followup_card,
    )

    agreement = Agreement(
        "Lund", "Lokalvård *skolor* [x](y)", "stad-och-kemikalier", "Städtjänster",
        "Städbolaget AB", "556036-0793", False, date(2026, 1, 1), date(2028, 12, 31),
        "anna@lund.se", (AgreementCriterion("11567", "bas", "kvartal"),),
    )  # fmt: skip
    followup = FollowUp(agreement.key, "11567", date(2026, 12, 10))
    take = JointTake("556036-0793", "11567", "29:bo", "Bo Berg", "Malmö", 0.0)
    plain = DueItem(agreement, followup, False, ())
    joint = DueItem(agreement, followup, True, ("Malmö", "Ystad"))
    taken = DueItem(agreement, followup, True, ("Malmö",), take)
    criterion = library.levels_of("11567")[0]
    report = FollowUpReport("FU1", "A", "", "stad-och-kemikalier", "Malmö", "2026-10-01",
                            (FollowUpCheck("11567", "stickprov", "uppfyllt"),), "")  # fmt: skip
    summary = FollowUpSummary([report], Counter({"stickprov": 1}), Counter({"uppfyllt": 1}))
    port = AgreementCards()
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        problems = {"org_number": "agreement.error.org_number", "end": "agreement.error.date"}
        cards += [
            (f"agreement-form/{language}", agreement_form_card(texts, TODAY)),
            (f"agreement-form-errors/{language}",
             agreement_form_card(texts, TODAY, {"title": "x"}, problems, "lund:plan")),
            (f"agreement/{language}",
             agreement_card(agreement, texts, "Registrerat", [followup] * 3)),
            (f"agreements/{language}", agreement_list_card("Mina", [agreement] * 3, texts)),
            (f"agreements-empty/{language}", agreement_list_card("Mina", [], texts)),
            (f"due/{language}", due_list_card("Att följa upp", [plain, joint], texts)),
            (f"followup/{language}",
             followup_card(plain, texts, criterion, summary, today=TODAY)),
            (f"followup-joint/{language}",
             followup_card(joint, texts, None, None, "overdue-2", today=TODAY)),
            (f"followup-taken/{language}",
             followup_card(taken, texts, criterion, None, "due", viewer="29:bo", today=TODAY)),
            (f"reminder/{language}",
             port.reminder(plain, "before", language, criterion, None, TODAY)),
            (f"handed/{language}", port.handed_over(agreement, "Anna *A*", language)),
            (f"joint-taken/{language}", port.joint_taken(joint, take, language)),
        ]  # fmt: skip
    return cards


def procurement_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    from datetime import date

    from bot.procurements import Procurement
    from bot.sharing import MarketAnalysis
    from cards import ProcurementPresenter, procurement_card, procurement_form_card, upcoming_card

    ours = Procurement("Lund", "Lokalvård *förskolor*", "stad-och-kemikalier", "Städtjänster",
                       "avtal", date(2027, 3, 1), date(2027, 9, 1), "anna@lund.se")  # fmt: skip
    theirs = Procurement("Malmö", "Städ [x](y)", "stad-och-kemikalier", "", "behovsanalys",
                         date(2027, 5, 1), date(2027, 11, 1), "bo@malmo.se", ticket=4,
                         expert_name="Eva")  # fmt: skip
    analysis = MarketAnalysis("MA1", "Städ", "stad-och-kemikalier", "", "Ystad", "2026-10-01", 3,
                              "S", "", "https://x.se/a", "E")  # fmt: skip
    criteria = library.levels_of("11567")
    port = ProcurementPresenter()
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        cards += [
            (f"procurement-form/{language}", procurement_form_card(texts, TODAY)),
            (f"procurement-form-errors/{language}", procurement_form_card(
                texts, TODAY, {"title": "x"}, {"announce": "procurement.error.announce"})),
            (f"procurement/{language}", procurement_card(
                ours, texts, suggested=criteria, shared=[analysis], group=[ours, theirs],
                editable=True, today=TODAY)),
            (f"procurement-plain/{language}", procurement_card(theirs, texts)),
            (f"upcoming/{language}", upcoming_card([ours, theirs], [[ours, theirs]], texts)),
            (f"upcoming-empty/{language}", upcoming_card([], [], texts)),
            (f"introduction/{language}", port.introduction(theirs, [ours], language)),
            (f"nudge/{language}", port.nudge(ours, language)),
        ]  # fmt: skip
    cards.append(("coordinated", port.coordinated([ours, theirs])))
    return cards


def admin_cards() -> list[tuple[str, dict[str, Any]]]:
    from bot.audit import AuditEvent
    from bot.digest import WeekContent
    from bot.i18n import Notice
    from bot.jobs import JobState
    from bot.outbox import OutboxStatus
    from cards import (
        DigestCards,
        NodeStatus,
        TicketCards,
        audit_log_card,
        erase_confirm_card,
        learned_words_card,
        my_data_card,
        small_talk_card,
        status_card,
    )

    event = AuditEvent(1795600000.0, "aad-x", "ticket.claim", "#12", {})
    job = JobState("outbox", 1795590000.0, 1795600000.0, 2, "Timeout")
    outbox = OutboxStatus({"reminder": 3}, {"reminder": 1}, 1795590000.0)
    status = NodeStatus("ok", "off", 120, True, 4, 2, 20, outbox, [job], ["tickets/t/0000009"])
    network = network_of(4, INSTANT)
    experts = list(network.experts.values())
    ticket = Ticket(number=5, question="Fråga?", area=AREA, municipality="Lund",
                    asker_id="29:a", asker_name="A", asker_locale="en-US", consent_publish=False,
                    created_at=1795600000.0, deadline=1795614400.0)  # fmt: skip
    ports = TicketCards(ZONE)
    cards: list[tuple[str, dict[str, Any]]] = [
        ("port/channel", ports.channel(ticket, network, experts)),
        ("port/expert", ports.expert_notice(ticket, network, experts, Notice("notice.new_ticket"))),
        ("port/receipt", ports.receipt(ticket, experts[:2])),
        ("port/asker", ports.asker_notice(ticket, Notice("notice.claimed", {
            "name": "Eva", "municipality": "Lund", "number": 5}))),
        ("port/digest", DigestCards().digest(WeekContent("2026-W48"))),
    ]  # fmt: skip
    for language in ("sv", "en"):
        texts = texts_for(language)
        counts = {"questions": 1, "expert": 2, "events": 3, "shared": 0}
        cards += [
            (f"my-data/{language}", my_data_card(texts, counts, "https://x.se/files/t")),
            (f"erase/{language}", erase_confirm_card(texts)),
            (f"audit/{language}", audit_log_card([event] * 3, ZONE, texts)),
            (f"audit-empty/{language}", audit_log_card([], ZONE, texts)),
            (f"learned/{language}", learned_words_card({"11567": ["glassbil"]},
                                                       {"11567": "Städkemikalier"}, texts)),
            (f"status/{language}", status_card(status, ZONE, texts)),
            (f"small-talk/{language}", small_talk_card(texts, "greeting", SUGGESTED)),
        ]  # fmt: skip
    return cards


def every_card(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    return [*all_cards(library), *agreement_cards(library), *procurement_cards(library),
            *admin_cards()]  # fmt: skip


def test_every_card_function_is_rendered_here() -> None:
    """A new card function fails this until it is added above (and so to the size test):
    every `*_card` function of every module in cards/, exported or not."""
    import ast
    import importlib
    import inspect
    import pkgutil
    from pathlib import Path

    import cards

    source = Path(__file__).read_text("utf-8")
    used = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)}
    makers = {
        name
        for module in pkgutil.iter_modules(cards.__path__)
        for name, value in vars(importlib.import_module(f"cards.{module.name}")).items()
        if name.endswith("_card") and inspect.isfunction(value)
        and value.__module__ == f"cards.{module.name}"
    }  # fmt: skip
    # Building blocks: rendered through every form and list above (shown_card is a button).
    assert makers - used - {"form_card", "list_card", "shown_card"} == set()


async def test_every_card_renders_without_problems(sample_library: CriteriaLibrary) -> None:
    cards = every_card(sample_library)
    results = render_cards(cards)
    assert len(results) == len(cards)
    problems = {r["name"]: r["problems"] for r in results if r["problems"]}
    assert problems == {}


def test_a_broken_card_is_caught() -> None:
    """The check itself can fail: an unknown element type is reported."""
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Blink", "text": "x"}]}
    (result,) = render_cards([("broken", broken)])
    assert result["problems"]
    chart = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Chart.Line", "data": []}]}
    (result,) = render_cards([("chart-without-fallback", chart)])
    assert result["problems"]  # a Teams chart passes only with a fallback the renderer shows
