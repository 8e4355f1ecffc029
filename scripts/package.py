"""`make package`: fill the Teams app manifest from the environment and zip the app package.
`python -m scripts.package --code`: zip the node's code for App Service (deployment/build/
app.zip), the same on Linux, macOS and Windows (zip entries always use "/": PowerShell 5.1's
Compress-Archive writes "\\", which Linux App Service unpacks as flat file names).

Reads MicrosoftAppId (the bot), NODE_PUBLIC_HOSTNAME (where the bot is served, without
https://) and TEAMS_APP_ID (the app's own id; defaults to the bot's id, as Teams allows).
The app's version is the project's (pyproject.toml); `--bump` raises its last number first,
since Teams takes an updated app only with a higher version. Writes
deployment/build/miljokravsnoden.zip: the manifest (Swedish), en.json (English) and the icons.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from bot.commands import CHANNEL, GROUP_CHAT, PERSONAL
from bot.i18n import texts_for
from bot.teams import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "deployment" / "appPackage"
OUTPUT = ROOT / "deployment" / "build" / "miljokravsnoden.zip"
CODE_OUTPUT = ROOT / "deployment" / "build" / "app.zip"
# What App Service needs to install and run the node (its build installs requirements.txt).
CODE = ("bot", "cards", "deployment", "pyproject.toml", "requirements.txt", "README.md")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$")
MAX_MENU = 10  # Teams shows at most 10 commands per scope


def filled_manifest(bot_id: str, domain: str, app_id: str | None = None) -> dict[str, Any]:
    if not _GUID.match(bot_id):
        raise ValueError(f"MicrosoftAppId must be a GUID, got {bot_id!r}")
    if not _HOST.match(domain):
        raise ValueError(
            f"NODE_PUBLIC_HOSTNAME must be a host name like bot.example.se, got {domain!r}"
        )
    app_id = app_id or bot_id
    if not _GUID.match(app_id):
        raise ValueError(f"TEAMS_APP_ID must be a GUID, got {app_id!r}")
    text = (SOURCE / "manifest.json").read_text("utf-8")
    values = (("TEAMS_APP_ID", app_id), ("BOT_ID", bot_id), ("BOT_DOMAIN", domain),
              ("APP_VERSION", version()))  # fmt: skip
    for name, value in values:
        text = text.replace("${{" + name + "}}", value)
    manifest: dict[str, Any] = json.loads(text)
    manifest["bots"][0]["commandLists"] = command_lists()
    return manifest


def version() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return str(project["version"])


def bump_version() -> str:
    """1.4.2 -> 1.4.3 in pyproject.toml; the new version."""
    old = version()
    major, minor, patch = (int(part) for part in old.split("."))
    new = f"{major}.{minor}.{patch + 1}"
    path = ROOT / "pyproject.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace(f'version = "{old}"', f'version = "{new}"', 1), "utf-8")
    return new


def english(manifest: dict[str, Any]) -> dict[str, Any]:
    """en.json: the manifest's strings in English, its command menus from the registry."""
    strings: dict[str, Any] = json.loads((SOURCE / "en.json").read_text("utf-8"))
    for n, menu in enumerate(command_lists("en")):
        for m, command in enumerate(menu["commands"]):
            strings[f"bots[0].commandLists[{n}].commands[{m}].title"] = command["title"]
            strings[f"bots[0].commandLists[{n}].commands[{m}].description"] = command["description"]
    search = "composeExtensions[0].commands[0]"
    strings |= {
        f"{search}.title": "Search criteria",
        f"{search}.description": "Sustainability criteria, published expert answers and "
        "shared market analyses and follow-ups",
        f"{search}.parameters[0].title": "Search",
        f"{search}.parameters[0].description": "For example cleaning chemicals, fossil-free "
        "transport or 11567",
    }
    return strings


def command_lists(language: str = "sv") -> list[dict[str, Any]]:
    """The compose box's command menus, made from the command registry: per scope the
    commands marked for the menu that work there (Swedish, the app's default language)."""
    texts = texts_for(language)
    lists = []
    for scopes, where in ((["personal"], PERSONAL), (["team"], CHANNEL),
                          (["groupChat"], GROUP_CHAT)):  # fmt: skip
        commands = [
            {"title": spec.spelling(language), "description": texts(f"cmd.{spec.name}")[:128]}
            for spec in COMMANDS
            if where in spec.menu
        ]
        if len(commands) > MAX_MENU:
            raise ValueError(f"{len(commands)} commands in the {scopes[0]} menu; Teams shows 10")
        if commands:
            lists.append({"scopes": scopes, "commands": commands})
    return lists


def build(bot_id: str, domain: str, app_id: str | None = None, output: Path = OUTPUT) -> Path:
    manifest = filled_manifest(bot_id, domain, app_id)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        package.writestr("en.json", json.dumps(english(manifest), ensure_ascii=False, indent=2))
        for icon in ("color.png", "outline.png"):
            package.write(SOURCE / icon, icon)
    return output


def code_zip(output: Path = CODE_OUTPUT) -> Path:
    """The node's code as App Service takes it: the packages, the deployment data and the
    locked requirements; no caches, no earlier builds."""
    output.parent.mkdir(parents=True, exist_ok=True)
    build_dir = ROOT / "deployment" / "build"
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in CODE:
            path = ROOT / name
            files = sorted(path.rglob("*")) if path.is_dir() else [path]
            for file in files:
                if (not file.is_file() or "__pycache__" in file.parts
                        or file.is_relative_to(build_dir)):  # fmt: skip
                    continue
                archive.write(file, file.relative_to(ROOT).as_posix())
    return output


def main() -> int:
    if "--code" in sys.argv[1:]:
        path = code_zip()
        print(f"Built {path.relative_to(ROOT)}: deploy it with az webapp deploy (docs/deploy.md).")
        return 0
    if "--bump" in sys.argv[1:]:
        print(f"Version {bump_version()} (pyproject.toml): commit it with the package.")
    try:
        path = build(
            os.environ.get("MicrosoftAppId", ""),  # noqa: SIM112 - the Bot Framework name
            os.environ.get("NODE_PUBLIC_HOSTNAME", ""),
            os.environ.get("TEAMS_APP_ID") or None,
        )
    except ValueError as error:
        print(f"Cannot build the app package: {error}", file=sys.stderr)
        return 2
    print(f"Built {path.relative_to(ROOT)}: upload it in Teams admin center or Developer Portal.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
