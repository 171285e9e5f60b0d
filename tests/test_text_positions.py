"""Offsets ⇄ LSP positions in all three encodings, clamped and round-tripping."""

from __future__ import annotations

from hypothesis import given, strategies as st

from pep725_ls.text_positions import LineIndex

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
