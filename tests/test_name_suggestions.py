"""The suggestion index gives difflib's answer, without difflib's scan; its cache is bounded."""

from __future__ import annotations

import difflib
import random
import string

from hypothesis import given, settings, strategies as st

from pep725_ls.data_index import SUGGESTION_CACHE_SIZE, DataIndex
from pep725_ls.name_suggestions import BoundedCache, SimilarNames

WORDS = ["openssl", "opensll", "zlib", "zlbi", "libpq", "pq", "postgresql", "postgres", "libxml2", "libxml", "a", "",
         "ab", "ba", "bzip2", "bz2", "lzma", "xz", "curl", "libcurl", "é", "éa", "ssl", "libssl", "xxxxxxxx"]


def reference(word: str, names: list[str], cutoff: float, max_diff=None, first="") -> str | None:
    """difflib.get_close_matches on the pool the old code built by hand."""
    pool = [n for n in names if (max_diff is None or abs(len(n) - len(word)) <= max_diff) and n.startswith(first)]
    close = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return close[0] if close else None


@settings(max_examples=300)
@given(st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcdelmnopqrsxz2é", max_size=10), min_size=0, max_size=40),
       st.sampled_from(WORDS) | st.text(alphabet="abcdelmnopqrsxz2é", max_size=10),
       st.sampled_from([0.6, 0.75, 0.8]), st.sampled_from([None, 1, 2]), st.booleans())
def test_closest_equals_difflib(names, word, cutoff, max_diff, same_first):
    first = word[:1] if same_first else ""
    assert SimilarNames(names).closest(word, cutoff, max_diff, first) == reference(word, names, cutoff, max_diff, first)


def test_closest_equals_difflib_over_the_nixpkgs_names():
    index = DataIndex()
    names = [line.split("\t", 1)[0] for line in index._names]
    similar = SimilarNames(names)
    rng = random.Random(725)
    words = [rng.choice(names) for _ in range(60)]
    words = [w[:i] + rng.choice(string.ascii_lowercase) + w[i + 1:] for w in words for i in [rng.randrange(max(len(w), 1))]]
    for word in words + ["opensll", "zlbi", "libxm2", "postgress"]:
        assert similar.closest(word, 0.8, 2, word[:1]) == reference(word, names, 0.8, 2, word[:1]), word


def test_suggestions_still_found():
    index = DataIndex()
    assert index.suggest("dep:generic/opensll") == "dep:generic/openssl"
    assert index.suggest("dep:generic/zlbi") is not None


def test_suggestion_cache_is_bounded_and_keeps_what_is_used():
    """It was cleared whole past 5,000 names: a document's own names were forgotten mid-analysis."""
    index = DataIndex()
    index.suggest("dep:generic/opensll")
    for i in range(SUGGESTION_CACHE_SIZE + 2000):
        index.suggest(f"dep:generic/unknown-{i}")
        if i % 500 == 0:
            index.suggest("dep:generic/opensll")  # in use: stays
    assert len(index._suggestions) == SUGGESTION_CACHE_SIZE
    assert "dep:generic/opensll" in index._suggestions and "dep:generic/unknown-0" not in index._suggestions


def test_bounded_cache():
    cache = BoundedCache(3)
    for key in "abcd":
        cache.get_or_compute(key, str.upper)
    assert len(cache) == 3 and "a" not in cache and cache.get_or_compute("d", lambda k: "new") == "D"
