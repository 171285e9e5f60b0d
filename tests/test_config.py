"""Settings parsing: typed, validated, every problem reported, never fatal."""

from pep725_ls.codes import Severity
from pep725_ls.config import Settings, parse_settings


def test_defaults():
    settings, problems = parse_settings(None)
    assert settings == Settings() and problems == []
    assert settings.severity_for("legacy-depurl") == Severity.ERROR


def test_section_or_inner_dict():
    a, _ = parse_settings({"pep725": {"hover": {"enable": False}}})
    b, _ = parse_settings({"hover": {"enable": False}})
    assert a.hover_enable is False and a == b


def test_invalid_values_fall_back_with_a_message():
    settings, problems = parse_settings({
        "completion": {"enable": "yes"},
        "nix": {"source": "flake", "timeout": -1},
        "debounceMs": True,
        "severity": {"legacy-depurl": "loud", "unknown-name": "off", "x": "error"},
        "surprise": 1,
    })
    assert settings.completion_enable is True
    assert settings.nix_source == "vendored" and settings.nix_timeout == 20.0
    assert settings.debounce_ms == 150
    assert settings.severity_for("unknown-name") is None
    assert settings.severity_for("legacy-depurl") == Severity.ERROR
    joined = "\n".join(problems)
    for needle in ["completion.enable", "nix.source", "nix.timeout", "debounceMs", "loud", "'x'", "surprise"]:
        assert needle in joined


def test_not_an_object():
    settings, problems = parse_settings(["a"])
    assert settings == Settings() and problems


def test_client_side_keys_are_not_reported():
    settings, problems = parse_settings({"pep725": {"server": {"path": "/x"}, "trace": {"server": "messages"}}})
    assert settings == Settings() and problems == []


def test_docs_url_has_no_default_and_is_checked():
    assert Settings().docs_url is None
    url = "https://example.org/pep725-ls/docs/diagnostics.html"
    settings, problems = parse_settings({"pep725": {"diagnostics": {"docsUrl": url}}})
    assert settings.docs_url == url and problems == []
    local, problems = parse_settings({"diagnostics": {"docsUrl": "file:///opt/pep725-ls/docs/diagnostics.md"}})
    assert local.docs_url == "file:///opt/pep725-ls/docs/diagnostics.md" and problems == []
    for bad in ("docs/diagnostics.md", "javascript:alert(1)", "https://example.org/d.html#top", "https://"):
        settings, problems = parse_settings({"diagnostics": {"docsUrl": bad}})
        assert settings.docs_url is None
        assert len(problems) == 1 and "pep725.diagnostics.docsUrl" in problems[0]


def test_missing_dependencies_install_setting():
    from pep725_ls.config import parse_settings

    assert parse_settings({})[0].missing_dependencies_install == "wheels"
    settings, problems = parse_settings({"pep725": {"missingDependencies": {"install": "source"}}})
    assert settings.missing_dependencies_install == "source" and problems == []
    settings, problems = parse_settings({"missingDependencies": {"install": "conda"}})
    assert settings.missing_dependencies_install == "wheels"
    assert problems and "missingDependencies.install" in problems[0] and "'conda'" in problems[0]
