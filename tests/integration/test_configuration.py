"""The OIN and the public base URL in every event: explicit in production, never made up."""

import pytest
from pydantic import ValidationError

from app.config import Settings
from tests.integration.test_subscriptions import PROD


@pytest.mark.parametrize("name", ["oin", "public_base_url"])
def test_production_refuses_to_start_without_them(name: str) -> None:
    with pytest.raises(ValidationError, match=f"production needs PERSPECTIEF_{name.upper()}"):
        Settings(**{**PROD, name: None})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("oin", "1234", "20 digits"),
        ("public_base_url", "http://jeugd.gm0363.example", "https in production"),
        ("public_base_url", "https://jeugd.gm0363.example/", "without a trailing slash"),
        ("public_base_url", "jeugd.gm0363.example", "http\\(s\\) URL"),
    ],
)
def test_production_refuses_values_that_would_mislead_a_consumer(name: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**{**PROD, name: value})


def test_development_has_working_defaults() -> None:
    settings = Settings(env="dev")
    assert settings.oin == "00000001234567890000"
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert Settings(**PROD).public_base_url == "https://jeugd.gm0363.example"
