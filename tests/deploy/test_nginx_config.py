"""The shipped production site (deploy/nginx/wegwijzer.conf) is accepted by Debian's nginx."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scripts.loadtools import ROOT
from scripts.services import MissingBinary, find_binary
from tests.deploy.conftest import need

SITE = ROOT / "deploy" / "nginx" / "wegwijzer.conf"


def test_the_production_site_passes_nginx_t(tmp_path: Path) -> None:
    try:
        nginx = find_binary("nginx", "nginx")
        openssl = find_binary("openssl", "openssl")
    except MissingBinary as exc:
        need(exc)
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=wegwijzer.test", "-keyout", str(tmp_path / "key.pem"),
         "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "snippets").mkdir()
    shutil.copy(SITE.parent / "wegwijzer-proxy.conf", tmp_path / "snippets")
    site = (
        SITE.read_text(encoding="utf-8")
        .replace(
            "/etc/letsencrypt/live/wegwijzer.example.nl/fullchain.pem", str(tmp_path / "cert.pem")
        )
        .replace(
            "/etc/letsencrypt/live/wegwijzer.example.nl/privkey.pem", str(tmp_path / "key.pem")
        )
        .replace("/var/log/nginx/", f"{tmp_path}/")
    )
    assert str(tmp_path / "cert.pem") in site
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nevents {{}}\nhttp {{\n"
        f"    client_body_temp_path {tmp_path}/body;\n    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
         "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
