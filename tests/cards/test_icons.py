"""Our icon files: one per Pipedrive activity icon_key and per type, small PNGs, licensed."""

from __future__ import annotations

import struct

import pytest

from cardin.cards import ICON_DIR, ICON_FILES
from cardin.cards.icons import ACTIVITY_ICON_KEYS, activity_icon, label_icon
from cardin.contact.model import ActivityState, DealStatus
from tests.cards import fixtures

PNG = b"\x89PNG\r\n\x1a\n"
EN = fixtures.context()


def test_all_forty_pipedrive_icon_keys_have_a_file() -> None:
    assert len(ACTIVITY_ICON_KEYS) == len(set(ACTIVITY_ICON_KEYS)) == 40
    assert {f"activity_{key}" for key in ACTIVITY_ICON_KEYS} <= ICON_FILES


def test_types_statuses_and_labels_have_files() -> None:
    expected = {"email_work", "email_home", "email_other", "phone_work", "phone_home",
                "phone_mobile", "phone_other", "label"}  # fmt: skip
    expected |= {f"deal_{s.value}" for s in DealStatus}
    expected |= {f"state_{s.value}" for s in ActivityState}
    assert expected <= ICON_FILES


@pytest.mark.parametrize("name", sorted(ICON_FILES))
def test_icon_file_is_a_small_square_png(name: str) -> None:
    data = (ICON_DIR / f"{name}.png").read_bytes()
    assert data.startswith(PNG)
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    assert (width, height) in {(48, 48), (96, 96)}
    assert (depth, color_type) == (8, 6)  # RGBA: transparent background
    assert len(data) < 4096


def test_the_folder_holds_only_our_icons_and_their_licence() -> None:
    present = {p.name for p in ICON_DIR.iterdir()}
    assert present == {f"{n}.png" for n in ICON_FILES} | {"LICENSE", "NOTICE"}
    assert "Apache License" in (ICON_DIR / "LICENSE").read_text()
    assert "material-design-icons" in (ICON_DIR / "NOTICE").read_text()


def test_known_icons_are_used_where_google_has_one() -> None:
    assert activity_icon(EN, "call", "Call") == {"knownIcon": "PHONE", "altText": "Call"}
    assert activity_icon(EN, "finish", "Finish")["iconUrl"] == (
        "https://cardin.example/static/icons/activity_finish.png"
    )
    assert activity_icon(EN, "no-such-key", "X")["iconUrl"].endswith("/activity_task.png")


@pytest.mark.parametrize(
    ("color", "file"),
    [("green", "label_green"), ("Dark-Gray", "label_dark-gray"), ("dark_gray", "label_dark-gray"),
     (None, "label"), ("#ff0000", "label")],
)  # fmt: skip
def test_label_colours_map_to_tag_icons(color: str | None, file: str) -> None:
    assert label_icon(EN, color, "Label")["iconUrl"].endswith(f"/{file}.png")
