"""Golden-file comparison shared by the card suites. CARDIN_UPDATE_GOLDEN=1 rewrites the files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.cards.validate import assert_valid_response

GOLDEN_ROOT = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CARDIN_UPDATE_GOLDEN") == "1"


def assert_matches_golden(folder: Path, name: str, response: dict[str, Any]) -> None:
    """The response is valid and byte-for-byte its golden file (rewritten when UPDATE)."""
    assert_valid_response(response)
    text = json.dumps(response, indent=2, ensure_ascii=False) + "\n"
    path = folder / f"{name}.json"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing {path.name}: run with CARDIN_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; review the diff"
