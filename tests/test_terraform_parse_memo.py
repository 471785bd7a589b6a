"""A Terraform file is parsed once per scan for all the units that read it (a module called from
several roots), and never read as unchanged when its text changed."""

from __future__ import annotations

from nhilint.formats import SourceFile
from nhilint.formats.terraform import module
from nhilint.formats.terraform.module import load

ROLE = 'variable "name" {\n  default = "%s"\n}\n'


def _tf(text: str, rel: str = "modules/role/main.tf") -> SourceFile:
    return SourceFile(rel=rel, format="terraform", text=text)


def test_the_same_file_is_parsed_once_and_its_tree_shared() -> None:
    first, _ = load([_tf(ROLE % "ci-deployer-shared")])
    again, _ = load([_tf(ROLE % "ci-deployer-shared")])
    assert again.files[0][1] is first.files[0][1]
    assert again.variables == {"name": "ci-deployer-shared"}


def test_a_changed_text_at_the_same_path_is_parsed_again() -> None:
    load([_tf(ROLE % "ci-deployer-old")])
    changed, _ = load([_tf(ROLE % "ci-deployer-new")])
    assert changed.variables == {"name": "ci-deployer-new"}


def test_the_same_text_at_another_path_keeps_its_own_entry() -> None:
    other, _ = load([_tf(ROLE % "ci-deployer-copy", rel="roots/prod/role.tf")])
    assert other.files[0][0].rel == "roots/prod/role.tf"


def test_the_memo_stays_within_its_budget() -> None:
    for index in range(200):
        load([_tf(ROLE % ("x" * 5_000) + f"# {index}\n", rel=f"modules/m{index}/main.tf")])
    assert sum(len(text) for _, text in module._memo) <= module._MEMO_CHARS
