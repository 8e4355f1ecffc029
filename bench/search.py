"""Search speed over a library of 10,000 entries: index build time, memory, query latency.

The library is the sample library repeated under new ids with the words of each copy shuffled
between entries of the same area, so the vocabulary and postings grow as a real library's
would rather than repeating one set of documents.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from bot.criteria.library import build_documents, process_guides, sample_criteria
from bot.criteria.model import Criterion
from bot.criteria.search import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QUESTION_FILES = [
    ROOT / "tests" / "criteria" / "search-eval-shared.jsonl",
    ROOT / "tests" / "criteria" / "search-eval-own.jsonl",
]


def library_of(size: int, seed: int = 7) -> list[Criterion]:
    rng = random.Random(seed)
    base = sample_criteria()
    out: list[Criterion] = []
    copy = 0
    while len(out) < size:
        for criterion in base:
            if len(out) >= size:
                break
            words = criterion.kravtext.split()
            rng.shuffle(words)
            out.append(
                replace(
                    criterion,
                    krav_id=f"LOK-{copy * 200 + base.index(criterion) % 200 + 1000}"[:9]
                    if copy
                    else criterion.krav_id,
                    kravtext=" ".join(words) if copy else criterion.kravtext,
                )
            )
        copy += 1
    return out


def _rss_bytes() -> int:
    """Resident memory of this process (Linux /proc), the figure an operator sees."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def questions() -> list[str]:
    found = []
    for path in QUESTION_FILES:
        if path.exists():
            found += [json.loads(line)["q"] for line in path.read_text("utf-8").splitlines()]
    return found


def run(size: int = 10_000, rounds: int = 20) -> dict[str, float]:
    criteria = library_of(size)
    documents = build_documents(criteria, [], process_guides())
    gc.collect()
    rss_before = _rss_bytes()
    started = time.perf_counter()
    index = SearchIndex(documents)
    build_s = time.perf_counter() - started
    gc.collect()
    index_mb = (_rss_bytes() - rss_before) / 1e6
    asked = questions()
    for question in asked:  # warm the per-word caches, as a running node has them
        index.search(question, 5)
    latencies = []
    for _ in range(rounds):
        for question in asked:
            started = time.perf_counter()
            index.search(question, 5)
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "entries": len(criteria),
        "build_s": round(build_s, 3),
        "index_rss_mb": round(index_mb, 1),
        "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
        "max_ms": round(latencies[-1], 3),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
