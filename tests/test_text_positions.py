"""Offsets ⇄ LSP positions in all three encodings, clamped and round-tripping."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pep725_ls.text_positions import LineIndex, Position

TEXT = "a = 1\r\nb = \"🐍é\"\nc\rd"


def test_line_breaks_of_all_kinds():
    index = LineIndex(TEXT)
    assert index.line_starts == [0, 7, 16, 18]
    assert index.offset_to_position(TEXT.index("c")).line == 2
    assert index.offset_to_position(TEXT.index("d")).line == 3


def test_astral_characters_count_twice_in_utf16_four_times_in_utf8():
    after = TEXT.index("é") + 1
    assert LineIndex(TEXT, "utf-16").offset_to_position(after).character == 5 + 2 + 1
    assert LineIndex(TEXT, "utf-8").offset_to_position(after).character == 5 + 4 + 2
    assert LineIndex(TEXT, "utf-32").offset_to_position(after).character == 5 + 1 + 1


def test_positions_past_the_end_are_clamped():
    index = LineIndex(TEXT)
    assert index.position_to_offset(0, 999) == 5  # end of line 0, before \r\n
    assert index.position_to_offset(99, 0) == len(TEXT)
    assert index.position_to_offset(-1, 3) == 0
    assert index.offset_to_position(10_000) == index.offset_to_position(len(TEXT))


def test_position_inside_a_surrogate_pair_snaps_to_the_character_start():
    index = LineIndex(TEXT, "utf-16")
    snake = TEXT.index("🐍")
    assert index.position_to_offset(1, 6) == snake


texts = st.text(alphabet=st.sampled_from(list("ab =\"[]\n\r\t") + ["é", "🐍", "\u2028"]), max_size=60)


@given(texts, st.sampled_from(["utf-8", "utf-16", "utf-32"]), st.data())
def test_round_trip(text, encoding, data):
    index = LineIndex(text, encoding)
    offset = data.draw(st.integers(0, len(text)))
    # Offsets between \r and \n are not addressable; step back to the line end.
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        offset -= 1
    pos = index.offset_to_position(offset)
    assert index.position_to_offset(pos.line, pos.character) == offset


# -- long lines: columns counted from checkpoints must equal counting from the line start ----
UNIT = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}


def reference_column(line_text: str, encoding: str) -> int:
    codec, width = UNIT[encoding]
    return len(line_text.encode(codec, "surrogatepass")) // width


long_lines = st.lists(st.sampled_from(["a", "bc", " ", "é", "🐍", "\u2028", "x" * 700, "é" * 300, "🐍" * 200]),
                      min_size=1, max_size=40).map("".join)


@given(long_lines, long_lines, st.sampled_from(["utf-8", "utf-16", "utf-32"]), st.data())
def test_long_lines_agree_with_counting_from_the_line_start(first, second, encoding, data):
    text = "head\n" + first + "\r\n" + second
    index = LineIndex(text, encoding)
    line = data.draw(st.sampled_from([1, 2]))
    content = first if line == 1 else second
    start = index.line_starts[line]
    k = data.draw(st.integers(0, len(content)))
    column = reference_column(content[:k], encoding)
    assert index.offset_to_position(start + k) == Position(line, column)
    assert index.position_to_offset(line, column) == start + k
    # a column inside a character snaps to its start; past the end, to the line end
    inside = column + 1
    if k < len(content) and reference_column(content[: k + 1], encoding) > inside:
        assert index.position_to_offset(line, inside) == start + k
    assert index.position_to_offset(line, reference_column(content, encoding) + 5) == start + len(content)


def _finishes(job, timeout: float) -> None:
    import threading

    worker = threading.Thread(target=job, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"still running after {timeout} s (a safety timeout; figures: bench/hostile_bench.py)"


def test_many_positions_on_one_megabyte_line_are_linear():
    """One emoji and 5,000 diagnostics on one line: each conversion walked the whole line in
    Python (6 s for 5,000 on a 100 kB line; minutes on 1 MB). Now from the nearest checkpoint."""
    line = "🐍" + "é" * 1_000_000
    index = LineIndex("[external]\n" + line + "\n", "utf-16")
    offsets = [11 + i * 200 for i in range(5000)]

    def convert():
        for offset in offsets:
            pos = index.offset_to_position(offset)
            assert index.position_to_offset(pos.line, pos.character) == offset

    _finishes(convert, 30)
    assert index.offset_to_position(11 + 1_000_001).character == 1_000_002


def test_keystrokes_on_a_one_megabyte_non_ascii_line():
    """A keystroke re-indexes the text and converts the change's range: 0.7 s on a 1 MB line."""
    text = "x = '" + "é🐍" * 500_000 + "'\n"

    def keystrokes():
        for i in range(200):
            index = LineIndex(text, "utf-16")
            assert index.position_to_offset(0, 5 + 3 * (2000 * i + 1)) == 5 + 2 * (2000 * i + 1)

    _finishes(keystrokes, 30)


@given(st.lists(st.sampled_from(["a", "é", "😀", "\n", "\r", "\r\n", " "]), max_size=60).map("".join),
       st.data())
def test_an_edited_index_equals_a_fresh_one(text, data):
    """LineIndex.edited (patched per keystroke) gives the same line starts and conversions
    as indexing the new text from scratch, CR/LF pairs joined or split by the edit included."""
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    inserted = data.draw(st.lists(st.sampled_from(["b", "ü", "\n", "\r", "\r\n"]), max_size=8).map("".join))
    new = text[:start] + inserted + text[end:]
    for encoding in ("utf-16", "utf-8"):
        patched = LineIndex(text, encoding).edited(start, end, inserted, new)
        fresh = LineIndex(new, encoding)
        assert patched.line_starts == fresh.line_starts
        for offset in range(len(new) + 1):
            assert patched.offset_to_position(offset) == fresh.offset_to_position(offset)


@given(st.lists(st.sampled_from(["a", "é", "😀", "\n", "\r", "\r\n", " "]), max_size=60).map("".join),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 6),
                          st.lists(st.sampled_from(["b", "ü", "\n", "\r", "\r\n"]), max_size=8).map("".join)),
                min_size=1, max_size=8))
def test_an_index_edited_again_and_again_equals_a_fresh_one(text, edits):
    """Edit after edit, in different places (each moving the lines after it by a shift
    kept pending, ``LineIndex._state``): every conversion, and the line starts at the end,
    as a fresh index gives them."""
    patched = LineIndex(text, "utf-16")
    for where, removed, inserted in edits:
        start = int(where * len(text))
        end = min(len(text), start + removed)
        text = text[:start] + inserted + text[end:]
        patched = patched.edited(start, end, inserted, text)
        fresh = LineIndex(text, "utf-16")
        assert patched.line_count == len(fresh.line_starts)
        for offset in range(len(text) + 1):
            position = fresh.offset_to_position(offset)
            assert patched.offset_to_position(offset) == position
            assert patched.position_to_offset(position.line, position.character) == \
                fresh.position_to_offset(position.line, position.character)
        for line in range(len(fresh.line_starts) + 1):
            assert patched.position_to_offset(line, 0) == fresh.position_to_offset(line, 0)
            assert patched.position_to_offset(line, 99) == fresh.position_to_offset(line, 99)
    assert patched.line_starts == fresh.line_starts  # made into one list: the same starts
