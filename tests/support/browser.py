"""Headless Chromium for tests that look at a page as a person would (Debian's ``chromium``).

The browser is a system package (``make browser`` installs it); Playwright drives it and never
downloads one of its own. Without a browser the test is skipped with the reason, except in CI
(``CI`` set), where a missing browser is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# No network but loopback: every host name resolves to nothing and everything else goes to a
# proxy that does not exist, so only 127.0.0.1 can be reached.
OFFLINE_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]


def chromium_path() -> str:
    """The Chromium executable, or skip (fail in CI) naming how to install it."""
    configured = os.environ.get("PERSPECTIEF_CHROMIUM")
    found = [configured] if configured else [shutil.which(name) for name in CANDIDATES]
    for path in found:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    reason = "no Chromium found (install it with `make test-tools`, or set PERSPECTIEF_CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
