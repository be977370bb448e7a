"""The web chat's static files as the app serves them: every ES module the page loads.

Browsers refuse a module script that is not served with a JavaScript MIME type, and a missing
import breaks the whole page, so this walks the import graph from index.html over HTTP.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from assistant.api import STATIC_DIR

# Static imports (`import ... from './x.js'`, `import './x.js'`) and dynamic `import('./x.js')`.
_IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]""")
_JS_TYPES = ("text/javascript", "application/javascript")


class _Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))


def _page_scripts(client: TestClient) -> list[dict[str, str | None]]:
    response = client.get("/")
    assert response.status_code == 200
    parser = _Scripts()
    parser.feed(response.text)
    return parser.scripts


def _resolve(importer: str, specifier: str) -> str:
    assert specifier.startswith("./"), f"{importer}: import {specifier!r} is not a sibling module"
    return importer.rsplit("/", 1)[0] + "/" + specifier[2:]


def test_the_page_loads_one_external_module_script(client: TestClient) -> None:
    scripts = _page_scripts(client)
    assert scripts == [{"type": "module", "src": "/static/main.js"}]


def test_every_module_in_the_import_graph_is_served_as_javascript(client: TestClient) -> None:
    pending = [str(s["src"]) for s in _page_scripts(client)]
    served: set[str] = set()
    while pending:
        path = pending.pop()
        if path in served:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        content_type = response.headers["content-type"].split(";")[0].strip()
        assert content_type in _JS_TYPES, f"{path} is served as {content_type}"
        assert response.headers["x-content-type-options"] == "nosniff"
        served.add(path)
        pending.extend(_resolve(path, spec) for spec in _IMPORT.findall(response.text))
    on_disk = {f"/static/{p.name}" for p in STATIC_DIR.glob("*.js")}
    assert served == on_disk, "every script in static/ is loaded, and nothing else"


def test_scripts_may_only_come_from_the_app_itself(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in policy
