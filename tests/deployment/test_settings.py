"""Settings as production reads them: the environment over a `.env` file, App Service's host
name as the public address, and the start refused when links would point at loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings, environment


def test_dotenv_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("NODE_TABLE_PREFIX=fromfile\nNODE_TIME_ZONE=Europe/Oslo\n", "utf-8")
    monkeypatch.setenv("NODE_TIME_ZONE", "Europe/Helsinki")
    settings = Settings.from_env(environment(dotenv))
    assert settings.table_prefix == "fromfile"
    assert settings.time_zone == "Europe/Helsinki"


def test_the_cli_reads_dotenv_and_refuses_a_loopback_public_url_with_authentication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("MicrosoftAppId", "NODE_PUBLIC_URL", "WEBSITE_HOSTNAME"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "MicrosoftAppId=11111111-2222-3333-4444-555555555555\n"
        "NODE_PUBLIC_URL=http://127.0.0.1:3978\n",
        "utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "NODE_PUBLIC_URL" in capsys.readouterr().err


def test_on_app_service_the_public_url_is_the_sites_host_name() -> None:
    settings = Settings.from_env({"WEBSITE_HOSTNAME": "miljokrav.azurewebsites.net"})
    assert settings.public_url == "https://miljokrav.azurewebsites.net"
    assert not settings.public_url_is_loopback
    explicit = {"WEBSITE_HOSTNAME": "x.azurewebsites.net", "NODE_PUBLIC_URL": "https://a.se/"}
    assert Settings.from_env(explicit).public_url == "https://a.se"
    assert Settings.from_env({}).public_url_is_loopback


def test_the_bot_is_single_tenant_unless_told_otherwise() -> None:
    assert Settings.from_env({}).app_type == "SingleTenant"


def test_the_production_lock_matches_the_declared_dependencies() -> None:
    """requirements.txt (what App Service installs, hash-checked) pins exactly the versions
    pyproject.toml declares: a dependency changed without `make lock` fails here."""
    import tomllib

    root = Path(__file__).parents[2]
    declared = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]
    locked = {}
    for line in (root / "requirements.txt").read_text("utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.split(" ")[0].partition("==")
            locked[_normal(name)] = version
    for requirement in declared["dependencies"]:
        name, _, version = requirement.partition("==")
        assert locked.get(_normal(name)) == version, f"{name}: run `make lock`"
    hashed = (root / "requirements.txt").read_text("utf-8").count("--hash=sha256:")
    assert hashed >= len(locked)


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_the_bicep_sets_only_settings_the_node_reads_and_no_plain_secrets() -> None:
    """Bicep cannot be compiled here; this keeps it honest against the code."""
    import re

    root = Path(__file__).parents[2]
    bicep = (root / "deployment" / "azure" / "main.bicep").read_text("utf-8")
    config = (root / "bot" / "config.py").read_text("utf-8")
    platform = {"SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITES_PORT", "AZURE_CLIENT_ID",
                "APPLICATIONINSIGHTS_CONNECTION_STRING"}  # fmt: skip
    app_settings = bicep[bicep.index("var commonSettings") : bicep.index("resource site ")]
    for setting in re.findall(r"\{ name: '([A-Za-z_]+)', value:", app_settings):
        assert setting in platform or f'"{setting}"' in config, setting
    assert "listKeys(" not in bicep  # no account key anywhere
    assert "allowSharedKeyAccess: false" in bicep
    for secret in ("MicrosoftAppPassword", "NODE_LINK_SECRET", "NODE_DIGEST_SECRET"):
        (value,) = re.findall(rf"name: '{secret}', value: '([^']*)'", bicep)
        assert value.startswith("@Microsoft.KeyVault("), secret


def test_the_bicep_survives_a_redeploy_and_a_re_created_group() -> None:
    """What a second deployment must not break (review of deployment/ against Azure's
    documented behaviour; the file cannot be compiled here)."""
    import re

    bicep = (Path(__file__).parents[2] / "deployment" / "azure" / "main.bicep").read_text()
    code = "\n".join(line.split("//")[0] for line in bicep.splitlines())  # comments out
    # Secrets made once, in the vault, by a script that keeps existing ones: no newGuid()
    # default regenerating them on every deployment.
    assert "newGuid(" not in code
    assert "@secure()" not in code
    assert "Microsoft.Resources/deploymentScripts" in code
    assert 'secret show --vault-name "$VAULT"' in code
    # The identity and the vault exist only in the subscription's tenant.
    assert "param hostTenantId" not in code
    assert "var hostTenantId = tenant().tenantId" in code
    # A re-created group can bring back its soft-deleted vault (purge protection keeps it).
    assert "createMode: recoverVault ? 'recover' : 'default'" in code
    # Step 3 needs the site's name; Always On needs Basic or better.
    assert re.search(r"^output siteName string = site.name$", code, re.MULTILINE)
    (allowed,) = re.findall(r"@allowed\((\[[^]]*'B1'[^]]*\])\)\s*param sku", code)
    assert "'F1'" not in allowed
    assert "'D1'" not in allowed
    # The node finds its address itself (WEBSITE_HOSTNAME): no guessed host name.
    assert "NODE_PUBLIC_URL" not in code
    # Deploys through Entra only: basic publishing credentials off for SCM and FTP.
    for kind in ("scm", "ftp"):
        assert re.search(
            rf"basicPublishingCredentialsPolicies@[\d-]+' = {{\s*parent: site\s*name: "
            rf"'{kind}'\s*properties: {{ allow: false }}",
            code,
        ), kind


def test_node_test_now_starts_the_clock_there_and_a_bad_instant_stops_the_start() -> None:
    settings = Settings.from_env({"NODE_TEST_NOW": "2026-12-31T23:59:00+01:00"})
    clock = settings.clock()
    assert clock.now().isoformat().startswith("2026-12-31T23:59")  # and it runs on from there
    assert str(clock.zone) == "Europe/Stockholm"
    with pytest.raises(ValueError, match="Invalid isoformat"):
        Settings.from_env({"NODE_TEST_NOW": "nyårsafton"})


UNRESOLVED = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/node-link-secret/)"


def test_an_unresolved_key_vault_reference_stops_the_start_and_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """App Service passes a reference it cannot resolve as its own text: the node would sign
    links with that guessable string. It refuses, naming the setting, never its value."""
    monkeypatch.chdir(tmp_path)
    for name in ("MicrosoftAppId", "NODE_PUBLIC_URL", "WEBSITE_HOSTNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NODE_LINK_SECRET", UNRESOLVED)
    monkeypatch.setenv("NODE_DIGEST_SECRET", "resolved-and-fine")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "NODE_LINK_SECRET" in err
    assert "NODE_DIGEST_SECRET" not in err
    assert "SecretUri" not in err
    assert "kv.vault.azure.net" not in err


def test_resolved_settings_are_not_taken_for_references() -> None:
    assert Settings.from_env({"NODE_LINK_SECRET": "x" * 40}).unresolved == ()
    assert Settings.from_env({"NODE_DIGEST_SECRET": UNRESOLVED}).unresolved == (
        "NODE_DIGEST_SECRET",
    )


def test_every_setting_the_node_reads_is_in_the_env_example() -> None:
    """.env.example is where an admin learns the settings: none may be missing."""
    import re

    root = Path(__file__).parents[2]
    example = (root / ".env.example").read_text("utf-8")
    listed = set(re.findall(r"^([A-Za-z_]+)=", example, re.MULTILINE))
    read = set(re.findall(r'env\.get\("([A-Za-z_]+)"', (root / "bot" / "config.py").read_text()))
    bicep = (root / "deployment" / "azure" / "main.bicep").read_text("utf-8")
    app_settings = bicep[bicep.index("var commonSettings") : bicep.index("resource site ")]
    deployed = set(re.findall(r"\{ name: '([A-Za-z_]+)', value:", app_settings))
    platform = {"SCM_DO_BUILD_DURING_DEPLOYMENT", "WEBSITES_PORT", "WEBSITE_HOSTNAME"}
    assert read - platform <= listed, sorted(read - platform - listed)
    assert deployed - platform <= listed, sorted(deployed - platform - listed)
