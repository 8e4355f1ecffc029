"""Skåne's municipalities, as the ask form offers them."""

MUNICIPALITIES: tuple[str, ...] = (
    "Bjuv", "Bromölla", "Burlöv", "Båstad", "Eslöv", "Helsingborg", "Hässleholm", "Höganäs",
    "Hörby", "Höör", "Klippan", "Kristianstad", "Kävlinge", "Landskrona", "Lomma", "Lund",
    "Malmö", "Osby", "Perstorp", "Simrishamn", "Sjöbo", "Skurup", "Staffanstorp", "Svalöv",
    "Svedala", "Tomelilla", "Trelleborg", "Vellinge", "Ystad", "Åstorp", "Ängelholm",
    "Örkelljunga", "Östra Göinge", "Region Skåne",
)  # fmt: skip
# A municipality as a form's choice: its name is its label.
MUNICIPALITY_CHOICES = tuple((m, "") for m in MUNICIPALITIES)
