"""NHI101 judges each value with the name it is written under, however often the value recurs: a
value repeated across files is reported at every place it is a credential, and not where its name
makes it harmless."""

from __future__ import annotations

from pathlib import Path

from nhilint.config import Config
from nhilint.pipeline.scan import scan

VALUE = "q8Zr4LmX2vTn9KpW"  # random-looking: a credential only under a credential's name


def test_a_repeated_value_is_judged_under_each_name_it_is_written_under(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(
            f'resource "aws_db_instance" "db" {{\n  password    = "{VALUE}"\n  identifier  = "{VALUE}"\n}}\n'
        )
    result = scan([tmp_path], Config(), root=tmp_path)
    places = sorted((f.loc.file, f.loc.line) for f in result.active if f.rule_id == "NHI101")
    assert places == [("a/main.tf", 2), ("b/main.tf", 2)]
