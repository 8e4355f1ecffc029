"""Who is on call, and reading the network file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.routing import (
    Network,
    NetworkFileError,
    NetworkRepository,
    Override,
    Rotation,
    read_network_file,
)
from bot.storage import Store
from tests.conftest import ZONE
from tests.routing.conftest import AREA, expert

# These tests name their instants: who is on call is a function of the moment asked about.
TODAY = date(2026, 1, 7)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def network_of(count: int, rotation: int = 3) -> Network:
    """`count` experts in AREA; the first `rotation` rotate weekly from Monday 2026-01-05."""
    network = Network({f"aad-expert-{n}": expert(n) for n in range(1, count + 1)})
    members = tuple(f"aad-expert-{n}" for n in range(1, rotation + 1))
    network.rotations[AREA] = Rotation(AREA, members, date(2026, 1, 5))
    return network


def names(experts: list) -> list[str]:  # type: ignore[type-arg]
    return [e.id.removeprefix("aad-expert-") for e in experts]


def test_the_rotation_hands_off_weekly_on_monday_morning() -> None:
    network = network_of(4)
    assert names(network.on_call(AREA, at("2026-01-05T09:00"), ZONE)) == ["1", "2", "3", "4"]
    assert names(network.on_call(AREA, at("2026-01-12T07:59"), ZONE))[0] == "1"
    assert names(network.on_call(AREA, at("2026-01-12T08:00"), ZONE))[:3] == ["2", "3", "1"]
    assert names(network.on_call(AREA, at("2026-01-19T08:00"), ZONE))[0] == "3"
    assert names(network.on_call(AREA, at("2026-01-26T08:00"), ZONE))[0] == "1"


def test_an_override_takes_precedence_for_its_period() -> None:
    network = network_of(4)
    network.overrides.append(
        Override("o1", AREA, "aad-expert-4", at("2026-01-06T00:00"), at("2026-01-08T00:00"))
    )
    assert names(network.on_call(AREA, at("2026-01-07T10:00"), ZONE))[0] == "4"
    assert names(network.on_call(AREA, at("2026-01-08T10:00"), ZONE))[0] == "1"


def test_a_gap_in_the_rotation_falls_back_to_every_expert_of_the_area() -> None:
    network = network_of(3, rotation=0)
    assert names(network.on_call(AREA, at("2026-01-07T10:00"), ZONE)) == ["1", "2", "3"]


def test_inactive_experts_and_other_areas_are_skipped() -> None:
    network = network_of(3)
    from dataclasses import replace

    network.experts["aad-expert-1"] = replace(network.experts["aad-expert-1"], active=False)
    assert names(network.on_call(AREA, at("2026-01-05T09:00"), ZONE)) == ["2", "3"]
    assert network.on_call("livsmedel", at("2026-01-05T09:00"), ZONE) == []


async def test_the_network_round_trips_through_storage(store: Store) -> None:
    network = network_of(3)
    network.overrides.append(
        Override(
            "o1", AREA, "aad-expert-3", at("2026-02-01T00:00"), at("2026-02-08T00:00"), "semester"
        )
    )
    repository = NetworkRepository(store)
    await repository.save(network)
    loaded = await repository.load()
    assert loaded.experts == network.experts
    assert loaded.rotations == network.rotations
    assert loaded.overrides == network.overrides


def test_the_documented_example_file_reads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "deployment" / "network.example.yaml"
    network = read_network_file(example, ZONE, TODAY)
    assert len(network.experts) >= 3
    assert network.rotations


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("experts: [{id: a, name: A, municipality: Lund, areas: [rymden]}]", "unknown area"),
        ("experts: [{id: a, name: A, areas: [it]}]", "municipality"),
        ("experts: []", "no experts"),
        (
            "experts: [{id: a, name: A, municipality: Lund, areas: [it]}]\n"
            "rotations: [{area: it, experts: [b]}]",
            "no expert with id 'b'",
        ),
        ("experts: [unclosed", "not valid YAML"),
    ],
)
def test_a_bad_network_file_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(content, "utf-8")
    with pytest.raises(NetworkFileError, match=message):
        read_network_file(path, ZONE, TODAY)


def test_a_csv_network_rotates_in_row_order(tmp_path: Path) -> None:
    path = tmp_path / "network.csv"
    path.write_text(
        "id;namn;kommun;områden;teams_id\ne1;Eva;Lund;it,avfall;29:e1\ne2;Olle;Ystad;it;29:e2\n",
        "utf-8",
    )
    network = read_network_file(path, ZONE, TODAY)
    assert network.rotations["it"].start == date(2026, 1, 5)  # this week's Monday
    assert network.rotations["it"].experts == ("e1", "e2")
    assert network.rotations["avfall"].experts == ("e1",)


@pytest.mark.calendar
def test_the_demo_network_puts_the_playgrounds_user_first_in_every_area_every_week() -> None:
    """`make run`'s walkthrough holds on any day: Alex Wilber (the Playground's user) is first
    in line everywhere, while the weekly rotation still shows behind him."""
    from bot.criteria import AREAS
    from bot.node import DEMO_NETWORK
    from tests.conftest import INSTANT

    network = read_network_file(DEMO_NETWORK, ZONE, INSTANT.date())
    seconds = []
    for week in range(60):
        moment = INSTANT + timedelta(weeks=week)
        for area in AREAS:
            assert network.on_call(area, moment, ZONE)[0].name == "Alex Wilber", (area, moment)
        seconds.append(network.on_call(AREA, moment, ZONE)[1].name)
    assert set(seconds) == {"Megan Bowen", "Adele Vance"}  # the rotation, week by week
    assert seconds[0] != seconds[1]
