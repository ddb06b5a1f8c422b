"""`make demo` serves the built site as a web server would: the site's own 404 page for a wrong
address, not Python's English "Error response" (found by a new user on a clean clone)."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request

from tools.demo import site_server


def test_a_wrong_address_gets_the_sites_own_404_page(tmp_path):
    (tmp_path / "index.html").write_text("<h1>三官一师公示栏</h1>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>没有找到这个页面</h1>", encoding="utf-8")
    server = site_server("127.0.0.1", 0, tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with urllib.request.urlopen(base + "/") as found:
            assert "三官一师公示栏" in found.read().decode("utf-8")
        try:
            urllib.request.urlopen(base + "/stations/no-such-station/")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            page = missing.read().decode("utf-8")
            assert "没有找到这个页面" in page and "Error response" not in page
        else:
            raise AssertionError("a missing page answered 200")
    finally:
        server.shutdown()
        server.server_close()
