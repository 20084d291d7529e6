"""The statutory content ids the code knows are the ones the yearly report's guide sets out,
in the same order, each with its text: the guide is the repository's copy of the contract."""

import re
from pathlib import Path

from ..yearly.contents import STATUTORY_CONTENTS

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "reports" / "yearly-report.md"
ROW = re.compile(r"^\| `([a-z]+\.[a-z_]+)` \| ([^|]+) \|", re.MULTILINE)


def test_the_guide_lists_every_content_id_in_order_with_its_text():
    rows = ROW.findall(GUIDE.read_text())
    assert [content_id for content_id, _ in rows] == [c.id for c in STATUTORY_CONTENTS]
    for (_, text), content in zip(rows, STATUTORY_CONTENTS, strict=True):
        assert text.strip() == content.text
