"""When diagnostics run after a change (issue 16): at once while analyses are fast, after a
wait as long as the last analysis (at most debounceMs) when they are slow. The policy is
pinned here; the latency it gives is measured in bench/run.py, not asserted."""

from __future__ import annotations

from pep725_ls.data_index import DataIndex
from pep725_ls.server import FAST_ANALYSIS_S, create_server

URI = "file:///p/pyproject.toml"


def test_no_wait_before_the_first_analysis_or_while_they_are_fast():
    server = create_server(DataIndex())
    assert server.diagnostics_delay(URI) == 0.0
    server._analysis_seconds[URI] = FAST_ANALYSIS_S / 2
    assert server.diagnostics_delay(URI) == 0.0


def test_slow_analyses_wait_as_long_as_the_last_one_at_most_debounce():
    server = create_server(DataIndex())
    server._analysis_seconds[URI] = 0.08
    assert server.diagnostics_delay(URI) == 0.08
    server._analysis_seconds[URI] = 3.0
    assert server.diagnostics_delay(URI) == 0.15  # debounceMs' default, an upper bound
    server.apply_settings({"debounceMs": 0})
    assert server.diagnostics_delay(URI) == 0.0  # 0 turns the wait off entirely
    assert server.diagnostics_delay("file:///other/pyproject.toml") == 0.0  # per document
