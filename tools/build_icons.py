#!/usr/bin/env python3
"""Build the card icons (src/cardin/cards/static/icons/*.png) from Google's Material icons.

Source: the npm package `material-design-icons` 3.0.1 (Apache-2.0). Fetch and unpack it, then
run this script with the unpacked folder:

    cd /tmp && npm pack material-design-icons@3.0.1 && tar xzf material-design-icons-3.0.1.tgz
    python3 tools/build_icons.py /tmp/package

Each icon is the 48x48 px black PNG (`2x_web/ic_NAME_black_24dp.png`) recoloured with the colour
below, so only the icons we use, in our colours, are committed. Standard library only: the source
PNGs are 8-bit grey+alpha, which is all the decoder handles.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/cardin/cards/static/icons"

GREY = "#5f6368"
GREEN = "#188038"
RED = "#d93025"
BLUE = "#1a73e8"

# Pipedrive activity-type icon_key -> Material icon (category/name).
ACTIVITY = {
    "task": "action/assignment",
    "email": "communication/email",
    "meeting": "social/group",
    "deadline": "action/alarm",
    "call": "communication/call",
    "lunch": "maps/restaurant",
    "calendar": "action/event",
    "downarrow": "navigation/arrow_downward",
    "document": "action/description",
    "smartphone": "hardware/smartphone",
    "camera": "image/photo_camera",
    "scissors": "content/content_cut",
    "cogs": "action/settings",
    "bubble": "communication/chat_bubble",
    "uparrow": "navigation/arrow_upward",
    "checkbox": "toggle/check_box",
    "signpost": "maps/directions",
    "shuffle": "av/shuffle",
    "addressbook": "communication/contacts",
    "linegraph": "editor/show_chart",
    "picture": "image/image",
    "car": "maps/directions_car",
    "world": "social/public",
    "search": "action/search",
    "clip": "editor/attach_file",
    "sound": "av/volume_up",
    "brush": "image/brush",
    "key": "communication/vpn_key",
    "padlock": "action/lock",
    "pricetag": "maps/local_offer",
    "suitcase": "action/work",
    "finish": "content/flag",
    "plane": "maps/flight",
    "loop": "av/loop",
    "wifi": "device/network_wifi",
    "truck": "maps/local_shipping",
    "cart": "action/shopping_cart",
    "bulb": "action/lightbulb_outline",
    "bell": "social/notifications",
    "presentation": "image/slideshow",
}

# Pipedrive's label colour names (the lead-label palette) -> the tag colour we draw.
LABEL_COLORS = {
    "blue": "#1a73e8",
    "brown": "#8d6e63",
    "dark-gray": "#424242",
    "gray": "#9e9e9e",
    "green": "#188038",
    "orange": "#f57c00",
    "pink": "#e91e63",
    "purple": "#8e24aa",
    "red": "#d93025",
    "yellow": "#f9ab00",
}

# Output file name (without .png) -> (Material icon, colour).
ICONS: dict[str, tuple[str, str]] = {
    **{f"activity_{key}": (icon, GREY) for key, icon in ACTIVITY.items()},
    "email_work": ("action/work", GREY),
    "email_home": ("action/home", GREY),
    "email_other": ("communication/email", GREY),
    "phone_work": ("communication/business", GREY),
    "phone_home": ("action/home", GREY),
    "phone_mobile": ("hardware/smartphone", GREY),
    "phone_other": ("communication/call", GREY),
    "deal_open": ("editor/monetization_on", GREY),
    "deal_won": ("action/thumb_up", GREEN),
    "deal_lost": ("action/thumb_down", RED),
    "state_done": ("action/check_circle", GREEN),
    "state_overdue": ("alert/error", RED),
    "state_planned": ("action/schedule", BLUE),
    "label": ("action/label", GREY),
    **{f"label_{name}": ("action/label", color) for name, color in LABEL_COLORS.items()},
}

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_GREY_ALPHA = 4
_BIT_DEPTH = 8
_BYTES_PER_PIXEL = 2


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """The PNG's chunks by type (IDAT parts concatenated)."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG")
    pos, found = len(_SIGNATURE), {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        found[kind] = found.get(kind, b"") + data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return found


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def _unfilter(raw: bytes, width: int, height: int) -> list[bytearray]:
    """The decoded scanlines of an 8-bit grey+alpha image."""
    stride, rows, prev = width * _BYTES_PER_PIXEL, [], bytearray(width * _BYTES_PER_PIXEL)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - _BYTES_PER_PIXEL] if i >= _BYTES_PER_PIXEL else 0
            up_left = prev[i - _BYTES_PER_PIXEL] if i >= _BYTES_PER_PIXEL else 0
            predictor = (0, left, prev[i], (left + prev[i]) // 2, _paeth(left, prev[i], up_left))
            line[i] = (line[i] + predictor[kind]) & 0xFF
        rows.append(line)
        prev = line
    return rows


def read_alpha(path: Path) -> tuple[int, int, list[list[int]]]:
    """Width, height and the opacity of each pixel of a black-on-transparent icon."""
    chunks = _chunks(path.read_bytes())
    width, height, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    if depth != _BIT_DEPTH or color_type != _GREY_ALPHA:
        raise ValueError(f"{path}: expected 8-bit grey+alpha")
    rows = _unfilter(zlib.decompress(chunks[b"IDAT"]), width, height)
    # A black icon's shape is its alpha; a lighter grey pixel is proportionally fainter.
    alpha = [[row[x * 2 + 1] * (255 - row[x * 2]) // 255 for x in range(width)] for row in rows]
    return width, height, alpha


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def write_rgba(path: Path, width: int, height: int, alpha: list[list[int]], color: str) -> None:
    """Write the shape in one colour on a transparent background (8-bit RGBA PNG)."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    raw = b"".join(b"\x00" + b"".join(bytes((red, green, blue, a)) for a in row) for row in alpha)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    png = _SIGNATURE + _chunk(b"IHDR", header)
    png += _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    path.write_bytes(png)


def write_pixels(path: Path, size: int, pixels: list[list[tuple[int, int, int, int]]]) -> None:
    """Write an RGBA image given pixel by pixel."""
    raw = b"".join(b"\x00" + b"".join(bytes(px) for px in row) for row in pixels)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    png = _SIGNATURE + _chunk(b"IHDR", header)
    png += _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    path.write_bytes(png)


def _logo_colour(x: float, y: float) -> tuple[int, int, int] | None:
    """Cardin's logo at a point of the unit square: a contact card on a blue disc."""
    blue, white, green = (26, 115, 232), (255, 255, 255), (24, 128, 56)
    if (x - 0.5) ** 2 + (y - 0.5) ** 2 > 0.25:
        return None
    if not (0.2 <= x <= 0.8 and 0.3 <= y <= 0.7):
        return blue
    if (x - 0.34) ** 2 + (y - 0.45) ** 2 < 0.006:
        return green  # the contact's picture
    if 0.3 <= x <= 0.4 and 0.53 <= y <= 0.62:
        return green
    if 0.47 <= x <= 0.72 and (0.4 <= y <= 0.45 or 0.52 <= y <= 0.56):
        return blue  # lines of text
    return white


def draw_logo(size: int = 96, samples: int = 4) -> list[list[tuple[int, int, int, int]]]:
    """The logo, supersampled for smooth edges."""
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            hits = [
                _logo_colour((px + (i + 0.5) / samples) / size, (py + (j + 0.5) / samples) / size)
                for i in range(samples)
                for j in range(samples)
            ]
            inside = [h for h in hits if h is not None]
            if not inside:
                row.append((0, 0, 0, 0))
                continue
            r, g, b = (sum(c[k] for c in inside) // len(inside) for k in range(3))
            row.append((r, g, b, 255 * len(inside) // len(hits)))
        rows.append(row)
    return rows


def main(source: Path) -> None:
    """Write every icon of ICONS from the unpacked material-design-icons package."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (icon, color) in sorted(ICONS.items()):
        category, base = icon.split("/")
        png = source / category / "2x_web" / f"ic_{base}_black_24dp.png"
        width, height, alpha = read_alpha(png)
        write_rgba(OUT / f"{name}.png", width, height, alpha, color)
    (OUT / "LICENSE").write_text((source / "LICENSE").read_text())
    write_pixels(OUT / "logo.png", 96, draw_logo())  # ours, drawn here
    print(f"wrote {len(ICONS)} icons to {OUT}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]))
