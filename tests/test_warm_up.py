"""The warm-up steps (features/warm_up.py) run against a real server object, without a client."""

from __future__ import annotations

import asyncio

from pep725_ls.data_index import DataIndex
from pep725_ls.features import warm_up
from pep725_ls.server import create_server


def test_every_step_runs_and_loads_what_first_requests_need():
    server = create_server(DataIndex())  # a fresh index: nothing loaded by earlier tests
    assert "_names" not in server.index.__dict__
    steps = list(warm_up._steps(server))
    assert [step.__name__ for step in steps] == ["names", "resolve", "hovering", "code_actions"]
    for step in steps:
        step()  # a failure here would only be logged by the server: make it visible
    assert "_names" in server.index.__dict__  # the nixpkgs names the first completion ranks


def test_turned_off_features_are_not_warmed_up():
    server = create_server()
    server.apply_settings({"completion": {"enable": False}, "hover": {"enable": False}})
    assert [step.__name__ for step in warm_up._steps(server)] == ["code_actions"]


def test_a_failing_step_is_skipped(monkeypatch):
    server = create_server()
    ran = []

    def broken():
        raise RuntimeError("boom")

    def fine():
        ran.append(True)

    monkeypatch.setattr(warm_up, "_steps", lambda ls: iter([broken, fine]))
    monkeypatch.setattr(warm_up, "START_DELAY", 0)
    asyncio.run(warm_up.warm_up(server))
    assert ran == [True]


def test_the_converters_are_prepared_without_a_failure(caplog):
    server = create_server()
    with caplog.at_level("DEBUG", logger=warm_up.log.name):
        warm_up.prepare_converters(server)
    assert [r.getMessage() for r in caplog.records] == []  # every sample message was read and written


def test_a_failure_to_prepare_a_converter_is_only_logged(caplog, monkeypatch):
    server = create_server()

    def broken(data):
        raise ValueError("unreadable")

    monkeypatch.setattr(server.protocol, "structure_message", broken)
    with caplog.at_level("DEBUG", logger=warm_up.log.name):
        warm_up.prepare_converters(server)
    assert len(caplog.records) == 3  # completion, resolve, hover: each one logged, none raised
