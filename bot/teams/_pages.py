"""The public pages the Teams manifest links to: the app's website, privacy, terms of use."""

from __future__ import annotations

from aiohttp import web

_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>{title}</title></head><body style="font-family:sans-serif;max-width:44em;margin:2em auto">
<h1>{title}</h1>{body}</body></html>"""

PRIVACY = """
<p>Miljökravsnoden drivs för Skånes kommuners upphandlingsenheter. Den behandlar bara det som
behövs för att svara på frågor och förmedla dem till miljöstrateger:</p>
<ul>
<li>ditt Teams-id, namn och var du pratat med boten (för att kunna svara dig);</li>
<li>dina frågor till experterna, svaren, och vem som tog och besvarade dem;</li>
<li>delat material och prenumerationer du själv lagt upp.</li>
</ul>
<p>Svar som publiceras i kunskapsbanken sparas utan namn, och bara om du gett samtycke.
Besvarade ärenden anonymiseras efter lagringstiden (normalt 24 månader).</p>
<p>Skriv <b>mina data</b> till boten för att se vad som finns om dig, och <b>radera mina data</b>
för att ta bort eller anonymisera det. Personuppgiftsansvarig är den kommun eller det
kommunalförbund som driver noden; kontakta dess dataskyddsombud för frågor.</p>
"""

ABOUT = """
<p>Miljökravsnoden är en bot i Teams för Skånes kommuners upphandlare. Den svarar på frågor
om Upphandlingsmyndighetens hållbarhetskriterier (nivå, kriterietyp, kravtext, verifikat och
uppföljning), skickar det den inte kan svara på till veckans jourhavande miljöstrateg i det
regionala nätverket, delar marknadsanalyser och uppföljningar mellan kommunerna och påminner
om avtalens uppföljningar.</p>
<p>Lägg till appen i Teams och skriv <b>hjälp</b> till boten. Sök kriterier direkt i
skrivfältet med appens sökning, eller klistra in en länk till ett kriterium hos
Upphandlingsmyndigheten.</p>
<p><a href="/privacy">Personuppgifter</a> · <a href="/terms">Användarvillkor</a></p>
"""

TERMS = """
<p>Miljökravsnoden ger stöd, inte juridisk rådgivning. Kriterierna kommer från
Upphandlingsmyndighetens kriteriebibliotek (eller exempeldata, tydligt märkt). Kontrollera
alltid aktuell version hos Upphandlingsmyndigheten innan du använder ett krav.</p>
<p>Svar från miljöstrateger är kollegialt stöd mellan kommuner. Den upphandlande
organisationen ansvarar själv för sina upphandlingsdokument.</p>
"""


async def about(request: web.Request) -> web.Response:
    html = _PAGE.format(title="Miljökravsnoden", body=ABOUT)
    return web.Response(text=html, content_type="text/html")


async def privacy(request: web.Request) -> web.Response:
    html = _PAGE.format(title="Miljökravsnoden: personuppgifter", body=PRIVACY)
    return web.Response(text=html, content_type="text/html")


async def terms(request: web.Request) -> web.Response:
    html = _PAGE.format(title="Miljökravsnoden: användarvillkor", body=TERMS)
    return web.Response(text=html, content_type="text/html")
