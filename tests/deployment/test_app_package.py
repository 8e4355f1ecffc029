"""The Teams app package: the filled manifest validates against the official JSON schema
(npm @microsoft/app-manifest), the icons are real images of the required sizes, and the
package builds from the environment's ids."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from scripts.package import SOURCE, build, filled_manifest
from tests.support.processes import ROOT

SCHEMAS = ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"
BOT_ID = "11111111-2222-3333-4444-555555555555"


def schema_for(manifest: dict[str, object]) -> dict[str, object]:
    path = SCHEMAS / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.schema.json"
    loaded: dict[str, object] = json.loads(path.read_text("utf-8"))
    return loaded


def test_the_filled_manifest_validates_against_the_official_schema() -> None:
    manifest = filled_manifest(BOT_ID, "miljokravsnoden.azurewebsites.net")
    jsonschema.Draft4Validator(schema_for(manifest)).validate(manifest)
    bots: list[dict[str, object]] = manifest["bots"]
    (bot,) = bots
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}  # type: ignore[call-overload]
    assert bot["botId"] == BOT_ID
    assert manifest["validDomains"] == ["miljokravsnoden.azurewebsites.net"]


def test_a_broken_manifest_is_caught_by_the_schema() -> None:
    manifest = filled_manifest(BOT_ID, "bot.example.se")
    manifest["bots"][0]["scopes"] = ["everywhere"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema_for(manifest)).validate(manifest)


def png_info(path: Path) -> tuple[int, int, int, bytes]:
    """Width, height, colour type and raw pixel rows of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _, color_type = struct.unpack(">IIBB", data[16:26])
    idat, position = b"", 8
    while position < len(data):
        length = struct.unpack(">I", data[position : position + 4])[0]
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            idat += data[position + 8 : position + 8 + length]
        position += 12 + length
    return width, height, color_type, zlib.decompress(idat)


def test_icons_have_the_required_sizes_and_the_outline_is_transparent() -> None:
    width, height, _, _ = png_info(SOURCE / "color.png")
    assert (width, height) == (192, 192)
    width, height, color_type, raw = png_info(SOURCE / "outline.png")
    assert (width, height) == (32, 32)
    assert color_type == 6  # RGBA
    stride = 1 + 32 * 4
    alphas = {raw[row * stride + 1 + 4 * x + 3] for row in range(32) for x in range(32)}
    assert 0 in alphas  # a transparent background
    colours = {
        raw[row * stride + 1 + 4 * x : row * stride + 4 + 4 * x]
        for row in range(32)
        for x in range(32)
        if raw[row * stride + 1 + 4 * x + 3]
    }
    assert colours == {b"\xff\xff\xff"}  # white on transparent, as Teams requires


def test_the_package_zips_manifest_english_and_icons(tmp_path: Path) -> None:
    path = build(BOT_ID, "bot.example.se", output=tmp_path / "app.zip")
    with zipfile.ZipFile(path) as package:
        names = ["color.png", "en.json", "manifest.json", "outline.png"]
        assert sorted(package.namelist()) == names
        manifest = json.loads(package.read("manifest.json"))
        english = json.loads(package.read("en.json"))
    assert manifest["id"] == BOT_ID
    assert "${{" not in json.dumps(manifest)
    # Swedish by default, English for English clients; both validate.
    assert manifest["localizationInfo"]["defaultLanguageTag"] == "sv-se"
    (other,) = manifest["localizationInfo"]["additionalLanguages"]
    assert other == {"languageTag": "en-us", "file": "en.json"}
    schema = SCHEMAS / f"v{manifest['manifestVersion']}" / "MicrosoftTeams.Localization.schema.json"
    jsonschema.Draft4Validator(json.loads(schema.read_text("utf-8"))).validate(english)
    assert english["bots[0].commandLists[0].commands[0].title"] == "help"
    assert english["composeExtensions[0].commands[0].title"] == "Search criteria"


def test_the_manifest_serves_shared_channels_and_asks_for_no_rsc_it_could_not_get() -> None:
    """Shared channels (B2B direct connect) reach the bot only with the channel features
    declared. Resource-specific consent needs an app registration as webApplicationInfo with
    a resource; the bot runs as a managed identity, so none is asked for (docs/deploy.md:
    team owners are read with GroupMember.Read.All instead)."""
    manifest = filled_manifest(BOT_ID, "bot.example.se")
    assert manifest["supportsChannelFeatures"] == "tier1"
    assert "authorization" not in manifest
    assert "webApplicationInfo" not in manifest


def test_the_version_is_the_projects_and_a_bump_raises_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scripts.package as package

    project = tmp_path / "pyproject.toml"
    project.write_text('[project]\nname = "x"\nversion = "1.4.9"\n', "utf-8")
    monkeypatch.setattr(package, "ROOT", tmp_path)
    assert package.version() == "1.4.9"
    assert package.bump_version() == "1.4.10"
    assert 'version = "1.4.10"' in project.read_text("utf-8")


@pytest.mark.parametrize(
    ("bot_id", "domain"), [("not-a-guid", "bot.example.se"), (BOT_ID, "https://x")]
)
def test_bad_ids_are_refused(bot_id: str, domain: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        filled_manifest(bot_id, domain)


def test_the_code_zip_has_what_app_service_runs_with_forward_slashes(tmp_path: Path) -> None:
    from scripts.package import code_zip

    with zipfile.ZipFile(code_zip(tmp_path / "app.zip")) as archive:
        names = archive.namelist()
    for needed in ("bot/__main__.py", "cards/templates/answer.json", "requirements.txt",
                   "pyproject.toml", "deployment/municipality-domains.yaml"):  # fmt: skip
        assert needed in names
    assert not [n for n in names if "\\" in n or "__pycache__" in n]
    assert not [n for n in names if n.startswith("deployment/build/")]
