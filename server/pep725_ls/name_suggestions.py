"""The closest known name to an unknown one: difflib's similarity, without difflib's scan.

``difflib.get_close_matches`` runs ``quick_ratio`` (a Python loop over both names) on every
candidate: ~1.5-2.7 ms per unknown name over the nixpkgs names, for every distinct name
of a document a repository can fill with thousands. ``SimilarNames`` keeps the candidates
in buckets by length, sorted, each with a bit mask of the characters it holds, and rules
a candidate out in O(1) when even the characters it lacks bound its ratio below the
cutoff. What is left goes through difflib's own tests, so the answer is exactly
``get_close_matches(word, candidates, n=1, cutoff)`` — tests/test_name_suggestions.py
compares the two.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
import threading


def _ratio(matches: int, total: int) -> float:
    return 2.0 * matches / total if total else 1.0  # difflib's _calculate_ratio: two empty names are alike


def _mask(text: str) -> int:
    bits = 0
    for ch in text:
        bits |= 1 << (ord(ch) & 63)  # collisions only make the bound looser, never wrong
    return bits


class SimilarNames:
    """Candidates for ``closest``; built once, read by many threads."""

    def __init__(self, names: Iterable[str]) -> None:
        buckets: dict[int, set[str]] = {}
        for name in names:
            buckets.setdefault(len(name), set()).add(name)
        self._names = {length: sorted(group) for length, group in buckets.items()}
        self._masks = {length: [_mask(n) for n in group] for length, group in self._names.items()}

    def closest(self, word: str, cutoff: float, max_length_difference: int | None = None,
                first_letter: str = "") -> str | None:
        """The best (ratio, name) with ratio >= cutoff among the candidates whose length is
        within ``max_length_difference`` of ``word``'s and that start with ``first_letter``."""
        matcher = SequenceMatcher()
        matcher.set_seq2(word)
        wanted, length = _mask(word), len(word)
        best: tuple[float, str] | None = None
        for size in sorted(self._names):
            if max_length_difference is not None and abs(size - length) > max_length_difference:
                continue
            total = size + length
            if _ratio(min(size, length), total) < cutoff:  # difflib's real_quick_ratio
                continue
            names, masks = self._names[size], self._masks[size]
            lo, hi = 0, len(names)
            if first_letter:
                lo = bisect.bisect_left(names, first_letter)
                hi = bisect.bisect_left(names, first_letter + "\U0010ffff", lo)
            for i in range(lo, hi):
                # a character of ``word`` the candidate lacks is a character that cannot match
                if _ratio(length - (wanted & ~masks[i]).bit_count(), total) < cutoff:
                    continue
                matcher.set_seq1(names[i])
                if matcher.quick_ratio() >= cutoff:
                    score = matcher.ratio()
                    if score >= cutoff and (best is None or (score, names[i]) > best):
                        best = (score, names[i])
        return None if best is None else best[1]


class BoundedCache:
    """A least-recently-used map of at most ``size`` entries, safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[str], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute(key)
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
