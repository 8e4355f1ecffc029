"""The experts' network: who the experts are, the weekly on-call rotation per area, and
overrides for holidays and swaps.

Who is on call for an area at a moment, in the order routing tries them: an override covering
the moment, then the rotation from this week's expert onwards, then every other active expert
of the area (the fallback when the rotation has a gap or everyone has been tried).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import yaml

from bot.criteria.model import AREAS
from bot.personal import PersonRef
from bot.storage import Record, Store

NETWORK = "network"
WEEK = timedelta(days=7)


class NetworkFileError(Exception):
    """A network file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Expert:
    id: str  # stable: the Entra object id when known, else the Teams user id
    name: str
    municipality: str
    areas: tuple[str, ...]
    teams_id: str = ""  # Teams user id (29:... or the Playground's user-id-0)
    aad_id: str = ""
    active: bool = True

    def covers(self, area: str) -> bool:
        return self.active and (area in self.areas or "alla" in self.areas)

    def is_person(self, user_id: str) -> bool:
        return bool(user_id) and user_id in (self.id, self.teams_id, self.aad_id)


@dataclass(frozen=True)
class Rotation:
    area: str
    experts: tuple[str, ...]  # expert ids in turn order
    start: date  # the first expert's first handoff day
    handoff_weekday: int = 0  # Monday
    handoff_time: time = time(8, 0)


@dataclass(frozen=True)
class Override:
    id: str
    area: str
    expert_id: str
    start: datetime
    end: datetime
    reason: str = ""


@dataclass
class Network:
    experts: dict[str, Expert] = field(default_factory=dict)
    rotations: dict[str, Rotation] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)

    def expert_for_user(self, *user_ids: str) -> Expert | None:
        for expert in self.experts.values():
            if expert.active and any(expert.is_person(u) for u in user_ids):
                return expert
        return None

    def on_call(self, area: str, at: datetime, zone: ZoneInfo) -> list[Expert]:
        """Experts to try for `area` at `at`, in order; the first is on call."""
        order: list[str] = [
            o.expert_id for o in self.overrides if o.area == area and o.start <= at < o.end
        ]
        rotation = self.rotations.get(area)
        if rotation and rotation.experts:
            turn = _turn(rotation, at.astimezone(zone), zone) % len(rotation.experts)
            order += list(rotation.experts[turn:] + rotation.experts[:turn])
        order += sorted(e.id for e in self.experts.values() if e.covers(area))
        seen: set[str] = set()
        experts: list[Expert] = []
        for expert_id in order:
            expert = self.experts.get(expert_id)
            if expert and expert.covers(area) and expert_id not in seen:
                seen.add(expert_id)
                experts.append(expert)
        return experts


def _turn(rotation: Rotation, local: datetime, zone: ZoneInfo) -> int:
    first = datetime.combine(rotation.start, rotation.handoff_time, zone)
    if local < first:
        return 0
    return int((local - first) // WEEK)


# --- storage ------------------------------------------------------------------------------


class NetworkRepository:
    # Admins maintain the network (python -m bot network import): an erasure does not touch
    # it; the export shows the person's expert entry.
    TABLES: ClassVar[dict[str, str]] = {NETWORK: "experts' names, municipalities, Teams ids"}

    def __init__(self, store: Store) -> None:
        self._store = store

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        expert = (await self.load()).expert_for_user(*person.ids)
        return {"expert": asdict(expert) if expert else None}

    async def erase_person(self, person: PersonRef) -> int:
        return 0

    async def load(self) -> Network:
        network = Network()
        for record in await self._store.query(NETWORK):
            data = record.data
            if record.partition == "expert":
                network.experts[record.key] = Expert(**{**data, "areas": tuple(data["areas"])})
            elif record.partition == "rotation":
                network.rotations[record.key] = Rotation(
                    area=data["area"],
                    experts=tuple(data["experts"]),
                    start=date.fromisoformat(data["start"]),
                    handoff_weekday=data["handoff_weekday"],
                    handoff_time=time.fromisoformat(data["handoff_time"]),
                )
            elif record.partition == "override":
                network.overrides.append(
                    Override(
                        id=data["id"],
                        area=data["area"],
                        expert_id=data["expert_id"],
                        start=datetime.fromisoformat(data["start"]),
                        end=datetime.fromisoformat(data["end"]),
                        reason=data.get("reason", ""),
                    )
                )
        return network

    async def save(self, network: Network) -> None:
        """Replace the stored network with this one."""
        keep: set[tuple[str, str]] = set()
        for expert in network.experts.values():
            keep.add(("expert", expert.id))
            await self._store.upsert(NETWORK, Record("expert", expert.id, asdict(expert)))
        for rotation in network.rotations.values():
            keep.add(("rotation", rotation.area))
            data = {
                "area": rotation.area,
                "experts": list(rotation.experts),
                "start": rotation.start.isoformat(),
                "handoff_weekday": rotation.handoff_weekday,
                "handoff_time": rotation.handoff_time.isoformat(timespec="minutes"),
            }
            await self._store.upsert(NETWORK, Record("rotation", rotation.area, data))
        for override in network.overrides:
            await self.add_override(override)
            keep.add(("override", override.id))
        for record in await self._store.query(NETWORK):
            if record.partition in ("expert", "rotation", "override") and (
                (record.partition, record.key) not in keep
            ):
                await self._store.delete(NETWORK, record.partition, record.key)

    async def add_override(self, override: Override) -> None:
        data = {
            "id": override.id,
            "area": override.area,
            "expert_id": override.expert_id,
            "start": override.start.isoformat(),
            "end": override.end.isoformat(),
            "reason": override.reason,
        }
        await self._store.upsert(NETWORK, Record("override", override.id, data))


# --- files --------------------------------------------------------------------------------


def read_network_file(path: Path, zone: ZoneInfo, today: date) -> Network:
    """YAML (experts, rotations, overrides) or CSV (experts; rotation order = row order). A
    rotation without a start starts this week (`today`'s Monday)."""
    text = path.read_text("utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise NetworkFileError(f"not valid YAML: {error}") from None
        if not isinstance(data, dict):
            raise NetworkFileError("the file must be a mapping with 'experts'")
        return _from_mapping(data, zone, _monday_of(today))
    if path.suffix.lower() == ".csv":
        return _from_csv(text, _monday_of(today))
    raise NetworkFileError("use a .yaml or .csv file")


def _expert(entry: Any, where: str) -> Expert:
    if not isinstance(entry, dict):
        raise NetworkFileError(f"{where}: an expert must be a mapping")
    for key in ("id", "name", "municipality", "areas"):
        if not entry.get(key):
            raise NetworkFileError(f"{where}: '{key}' is missing")
    areas = entry["areas"]
    areas = [a.strip() for a in areas.split(",")] if isinstance(areas, str) else list(areas)
    unknown = [a for a in areas if a not in AREAS and a != "alla"]
    if unknown:
        raise NetworkFileError(f"{where}: unknown area {unknown[0]!r}")
    return Expert(
        id=str(entry["id"]),
        name=str(entry["name"]),
        municipality=str(entry["municipality"]),
        areas=tuple(areas),
        teams_id=str(entry.get("teams_id") or ""),
        aad_id=str(entry.get("aad_id") or ""),
        active=bool(entry.get("active", True)),
    )


def _from_mapping(data: dict[str, Any], zone: ZoneInfo, this_monday: date) -> Network:
    network = Network()
    for n, entry in enumerate(data.get("experts") or [], start=1):
        expert = _expert(entry, f"experts #{n}")
        network.experts[expert.id] = expert
    for n, entry in enumerate(data.get("rotations") or [], start=1):
        where = f"rotations #{n}"
        area = entry.get("area")
        if area not in AREAS:
            raise NetworkFileError(f"{where}: unknown area {area!r}")
        members = tuple(str(e) for e in entry.get("experts") or [])
        missing = [m for m in members if m not in network.experts]
        if missing:
            raise NetworkFileError(f"{where}: no expert with id {missing[0]!r}")
        try:
            start = date.fromisoformat(str(entry.get("start", this_monday)))
            handoff = time.fromisoformat(str(entry.get("handoff_time", "08:00")))
        except ValueError as error:
            raise NetworkFileError(f"{where}: {error}") from None
        network.rotations[area] = Rotation(area, members, start, start.weekday(), handoff)
    for n, entry in enumerate(data.get("overrides") or [], start=1):
        where = f"overrides #{n}"
        try:
            start = _moment(entry["from"], zone)
            end = _moment(entry["to"], zone)
        except (KeyError, ValueError) as error:
            raise NetworkFileError(f"{where}: needs 'from' and 'to' dates ({error})") from None
        if entry.get("expert") not in network.experts:
            raise NetworkFileError(f"{where}: no expert with id {entry.get('expert')!r}")
        if end <= start:
            raise NetworkFileError(f"{where}: 'to' must be after 'from'")
        network.overrides.append(
            Override(
                f"file-{n}", entry["area"], entry["expert"], start, end, entry.get("reason", "")
            )
        )
    if not network.experts:
        raise NetworkFileError("no experts in the file")
    return network


def _from_csv(text: str, this_monday: date) -> Network:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    network = Network()
    for n, row in enumerate(rows, start=2):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        expert = _expert(
            {
                "id": clean.get("id"),
                "name": clean.get("namn") or clean.get("name"),
                "municipality": clean.get("kommun") or clean.get("municipality"),
                "areas": clean.get("områden") or clean.get("areas"),
                "teams_id": clean.get("teams_id"),
                "aad_id": clean.get("aad_id"),
                "active": clean.get("aktiv", "ja").lower() not in ("nej", "no", "false", "0"),
            },
            f"row {n}",
        )
        network.experts[expert.id] = expert
    start = this_monday
    for area in AREAS:
        members = tuple(e.id for e in network.experts.values() if area in e.areas)
        if members:
            network.rotations[area] = Rotation(area, members, start)
    if not network.experts:
        raise NetworkFileError("no experts in the file")
    return network


def _moment(value: Any, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    else:
        moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _monday_of(today: date) -> date:
    return today - timedelta(days=today.weekday())
