"""Golden dump of the demo pack: content, number formats, charts and print setup (not bytes).

Regenerate after an intended change with: EVR_UPDATE_GOLDEN=1 pytest tests/boardpack
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from evr_xl.boardpack import SHEETS
from evr_xl.boardpack.dump import dump_pack

GOLDEN = Path(__file__).parent / "golden" / "demo_pack.json"


def test_demo_pack_matches_golden_dump(demo_pack) -> None:
    raw = dump_pack(demo_pack.path)
    assert list(raw["sheets"])[: len(SHEETS)] == list(SHEETS)  # appendices after the pages
    dump = json.loads(json.dumps(raw, sort_keys=True))
    if os.environ.get("EVR_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(dump, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    expected = json.loads(GOLDEN.read_text())
    assert list(dump["sheets"]) == list(expected["sheets"])
    for sheet in dump["sheets"]:
        assert dump["sheets"][sheet] == expected["sheets"][sheet], sheet
    assert dump["charts"] == expected["charts"]
    assert dump["chartex_parts"] == []
