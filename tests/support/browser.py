"""Rendering Adaptive Cards in the official `adaptivecards` renderer inside headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.processes import ROOT

RENDERER = ROOT / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--virtual-time-budget=10000",
    "--dump-dom",
]
_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="{renderer}"></script></head><body>
<script type="application/json" id="cards">{cards}</script>
<pre id="result"></pre>
<script>
const cards = JSON.parse(document.getElementById("cards").textContent);
const results = [];
for (const [name, json] of cards) {{
  const problems = [];
  try {{
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext();
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) {{
      const e = context.getEventAt(i);
      problems.push("parse: " + e.message);
    }}
    for (const e of card.validateProperties().validationEvents) {{
      problems.push("validation: " + e.message);
    }}
    const element = card.render();
    if (!element) {{ problems.push("render: nothing rendered"); }}
    else {{ document.body.appendChild(element); }}
  }} catch (error) {{ problems.push("exception: " + error); }}
  results.push({{name: name, problems: problems}});
}}
document.getElementById("result").textContent = JSON.stringify(results);
</script></body></html>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed (apt-get install chromium; .ci/run does it)")


def render_cards(cards: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each card's parse/validation/render problems, as the official renderer reports them."""
    payload = json.dumps(cards, ensure_ascii=False).replace("</", "<\\/")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "cards.html"
        page.write_text(_PAGE.format(renderer=RENDERER.as_uri(), cards=payload), "utf-8")
        profile = Path(folder) / "profile"
        result = subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    match = re.search(r'<pre id="result">(.*?)</pre>', result.stdout, re.S)
    if not match or not match.group(1):
        raise RuntimeError(f"the page produced no result: {result.stderr[-2000:]}")
    results: list[dict[str, Any]] = json.loads(html.unescape(match.group(1)))
    by_name = dict(cards)
    for rendered in results:
        card = by_name[rendered["name"]]
        rendered["problems"] = [p for p in rendered["problems"]
                                if not _teams_only_with_fallback(p, card)]  # fmt: skip
    return results


# Teams renders these (its charts, its star rating); the official renderer does not know
# them and says it uses the element's fallback, which is then what it renders and checks.
_TEAMS_ONLY = re.compile(
    r'Unknown element type "((?:Chart\.|Input\.Rating)[A-Za-z.]*)"\. Fallback will be used'
)


def _teams_only_with_fallback(problem: str, card: dict[str, Any]) -> bool:
    """A Teams-only element the renderer replaces by its fallback, and every such element of
    the card has a fallback to show (not "drop"): fine, the fallback is what was checked."""
    match = _TEAMS_ONLY.search(problem)
    if not match:
        return False

    def nodes(value: Any) -> list[dict[str, Any]]:
        if isinstance(value, dict):
            return [value, *(n for v in value.values() for n in nodes(v))]
        if isinstance(value, list):
            return [n for v in value for n in nodes(v)]
        return []

    typed = [n for n in nodes(card) if n.get("type") == match.group(1)]
    return bool(typed) and all(isinstance(n.get("fallback"), dict) for n in typed)
