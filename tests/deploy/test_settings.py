"""The deployment settings as an operator writes them in the environment file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.config import Settings


def _from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for name, value in env.items():
        monkeypatch.setenv(f"WEGWIJZER_{name.upper()}", value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_trusted_proxies_are_empty_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEGWIJZER_TRUSTED_PROXIES", raising=False)
    assert _from_env(monkeypatch).trusted_proxies == []


@pytest.mark.parametrize(
    ("written", "parsed"),
    [
        ("127.0.0.1", ["127.0.0.1"]),
        ("127.0.0.1, 10.0.0.0/8 ,::1", ["127.0.0.1", "10.0.0.0/8", "::1"]),
        ('["192.168.1.10", "fd00::/8"]', ["192.168.1.10", "fd00::/8"]),
    ],
)
def test_trusted_proxies_read_as_a_list_or_json(
    monkeypatch: pytest.MonkeyPatch, written: str, parsed: list[str]
) -> None:
    assert _from_env(monkeypatch, trusted_proxies=written).trusted_proxies == parsed


def test_a_proxy_name_instead_of_an_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="not an IP address or network: 'nginx'"):
        _from_env(monkeypatch, trusted_proxies="127.0.0.1,nginx")


def test_the_database_url_is_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://wegwijzer:geheim@127.0.0.1/wegwijzer"
    settings = _from_env(monkeypatch, database_url=url, feedback_retention_days="30")
    assert "geheim" not in repr(settings)
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == url
    assert settings.feedback_retention_days == 30
