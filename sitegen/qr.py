"""QR codes as SVG (segno): error level M boosted when the data allows, 4-module quiet zone."""
from __future__ import annotations

import segno

QUIET_ZONE = 4


def qr_svg(url: str, title: str) -> str:
    """A standalone SVG that scales to any printed size (viewBox only, no fixed size)."""
    code = segno.make(url, error="m", boost_error=True, micro=False)
    svg = code.svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, svgclass="qr", lineclass=None, light="#fff",
                          title=title)
    # svg_inline leaves out the namespace that a standalone .svg file needs.
    return '<?xml version="1.0" encoding="utf-8"?>\n' + svg.replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges" ', 1) + "\n"
