"""No question costs more than a bounded amount of analysis: one absurdly long word, or a
message of thousands of words, must not hold up the other users of the node.

Work is counted, not timed: every word analysed goes through `stem` (an lru_cache, whose
call counts are public), so its calls measure the work of a question."""

from __future__ import annotations

from bot.criteria import CriteriaLibrary
from bot.criteria._text import MAX_QUERY_WORDS, stem


def _stem_calls(library: CriteriaLibrary, text: str) -> int:
    before = stem.cache_info()
    library.answer(text)
    after = stem.cache_info()
    return (after.hits + after.misses) - (before.hits + before.misses)


def test_one_long_word_costs_no_more_than_a_normal_question(
    sample_library: CriteriaLibrary,
) -> None:
    normal = _stem_calls(sample_library, "Vilka krav kan vi ställa på städkemikalier i skolan?")
    for word in ("städ" * 7500, "a" * 30_000, "kemikalie" * 3000):
        assert _stem_calls(sample_library, word) <= normal
        assert sample_library.answer(word).confidence == "none"


def test_work_stops_growing_with_the_number_of_words(sample_library: CriteriaLibrary) -> None:
    def message(count: int) -> str:
        return " ".join(f"ord{n}x städkemikalier{n}" for n in range(count))

    small = _stem_calls(sample_library, message(MAX_QUERY_WORDS // 2))
    # 4,000 words (a 28 KB message) cost what the first MAX_QUERY_WORDS of them cost.
    assert _stem_calls(sample_library, message(4000)) <= small * 2 + 50


def test_the_words_that_are_read_still_find_their_criterion(
    sample_library: CriteriaLibrary,
) -> None:
    question = "städkemikalier " + "x" * 60 + " skola " + "bla " * 3000
    answer = sample_library.answer(question)
    assert answer.hits
    assert answer.hits[0].document.area == "stad-och-kemikalier"


def test_what_people_write_is_searched_but_teaches_no_compound_words() -> None:
    """The compound splitter knows the library's words, not a shared item's: a share full of
    invented words neither slows later builds nor changes how the library's words split."""
    from bot.criteria.search import Document, SearchIndex

    criterion = Document(
        "1/bas", "criterion", "it", {"name": "Datorer", "kravtext": "skärm", "product_group": "IT"}
    )
    shared = Document("analysis/MA1", "analysis", "it", {"name": "Glassbilar", "text": "glass"})
    index = SearchIndex([criterion, shared])
    assert index.split_compound("datorskärm") == ("dator", "skärm")
    assert index.split_compound("glassdator") != ("glass", "dator")
    assert [h.document.id for h in index.search("glassbilar")] == ["analysis/MA1"]
