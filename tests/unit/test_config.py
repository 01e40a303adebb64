"""Configuration: TOML plus environment, secrets from files, and one clear line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.config import load_settings, render_effective
from syncd.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value.problems


def test_the_example_is_valid_and_points_at_the_sandbox() -> None:
    settings = load_settings(EXAMPLE)
    assert set(settings.enabled_connectors()) == {"flowtrac", "lightening", "itflow", "cirrus"}
    assert settings.connectors["itflow"].base_url == "http://127.0.0.1:8703"
    assert settings.database.url.startswith("sqlite:////")


def test_no_file_gives_the_built_in_sandbox_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None)
    assert settings.source is None
    assert set(settings.connectors) == {"flowtrac", "lightening", "itflow", "cirrus"}
    assert settings.database.url == f"sqlite:///{tmp_path.resolve() / 'syncd.db'}"


def test_the_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_MATCHING__AUTO_LINK", "0.97")
    monkeypatch.setenv("SYNCD_CONNECTORS__ITFLOW__API_KEY", "from-env-1234")
    settings = load_settings(EXAMPLE)
    assert settings.matching.auto_link == 0.97
    assert settings.connectors["itflow"].api_key.get_secret_value() == "from-env-1234"
    assert settings.connectors["itflow"].base_url == "http://127.0.0.1:8703"


def test_a_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("file-secret-5678\n")
    path = write(tmp_path, f'[connectors.itflow]\ntype = "itflow"\nbase_url = "http://x"\napi_key_file = "{secret}"\n')
    assert load_settings(path).connectors["itflow"].api_key.get_secret_value() == "file-secret-5678"


def test_secrets_are_masked_in_the_effective_configuration() -> None:
    text = render_effective(load_settings(EXAMPLE))
    for secret in ("sandbox-itflow-key", "sandbox-cirrus-token", "sandbox-lightening-token"):
        assert secret not in text
    assert '"********"' in text


def test_each_problem_gets_one_line_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, """
[database]
urll = "x"
[matching]
auto_link = 0.5
review = 0.8
[connectors.itflow]
type = "itflow"
base_url = "http://x"
poll_interval = "often"
[connectors.foo]
type = "nosuch"
[fields.title]
policy = "prefer"
[fields.colour]
policy = "lww"
""")
    lines = problems(path)
    text = "\n".join(lines)
    assert len(lines) == 7, text
    assert "database.urll: unknown key" in text
    assert "review (0.8) must not be above auto_link (0.5)" in text
    assert "connectors.itflow.poll_interval" in text and "'often'" in text
    assert "connectors.itflow.api_key: required and missing" in text
    assert "connectors.foo.type: 'nosuch' is not a connector type" in text
    assert "fields.title: policy = \"prefer\" needs prefer" in text
    assert "fields.colour" in text
    assert all(line.startswith(str(path)) for line in lines)


def test_a_wrong_secret_type_is_reported_without_the_value(tmp_path: Path) -> None:
    path = write(tmp_path, '[connectors.c]\ntype = "cirrus"\nbase_url = "http://x"\nx_token = 12345678\n')
    text = "\n".join(problems(path))
    assert "connectors.c.x_token" in text and "12345678" not in text


def test_prefer_must_name_configured_connectors(tmp_path: Path) -> None:
    path = write(tmp_path, '[fields.title]\npolicy = "prefer"\nprefer = ["salesforce"]\n')
    assert any("salesforce is not a configured connector" in p for p in problems(path))


def test_toml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[database\nurl = 1\n")
    (line,) = problems(path)
    assert "not valid TOML" in line and "line 1" in line


def test_a_missing_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[connectors.i]\ntype = "itflow"\nbase_url = "http://x"\napi_key_file = "/nope/key"\n')
    assert any("cannot read api_key_file" in p for p in problems(path))
