"""QR codes as SVG (segno): error level M boosted when the data allows, 4-module quiet zone."""
from __future__ import annotations

import math
from dataclasses import dataclass

import segno

QUIET_ZONE = 4
# A poster's QR code is read from a metre away: its modules (the quiet zone not counted) print at least
# 5 cm wide; half a millimetre more absorbs a printer's rounding.
POSTER_SYMBOL_MM = 50.5


@dataclass(frozen=True)
class QrImage:
    svg: str
    poster_mm: float  # the printed width of the whole image that gives a POSTER_SYMBOL_MM symbol


def qr_image(url: str, title: str) -> QrImage:
    """A standalone SVG that scales to any printed size (viewBox only, no fixed size), and its poster size."""
    code = segno.make(url, error="m", boost_error=True, micro=False)
    svg = code.svg_inline(scale=1, border=QUIET_ZONE, omitsize=True, svgclass="qr", lineclass=None, light="#fff",
                          title=title)
    # svg_inline leaves out the namespace that a standalone .svg file needs.
    svg = '<?xml version="1.0" encoding="utf-8"?>\n' + svg.replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges" ', 1) + "\n"
    # A longer URL needs more modules, so the quiet zone is a smaller share of its image.
    modules = code.symbol_size(scale=1, border=0)[0]
    return QrImage(svg, math.ceil(POSTER_SYMBOL_MM * (modules + 2 * QUIET_ZONE) / modules * 10) / 10)
