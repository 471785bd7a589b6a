"""A Terraform file is parsed once per scan for all the units that read it (a module called from
several roots), and never read as unchanged when its text changed."""

from __future__ import annotations

from nhilint.formats import SourceFile
from nhilint.formats.terraform import parsed
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
    assert sum(parsed._cost(text) for _, text in parsed._memo) == parsed._memo_total[0] <= parsed._MEMO_COST


def test_a_dense_file_is_charged_by_the_nodes_it_builds_not_its_length() -> None:
    # 80,000 empty objects in 240 kB build ~40 MB of tree: four such modules, charged by length,
    # would have been kept together (160 MB) by a memo of 500,000 characters
    dense = "locals {\n  x = [" + ",".join(["{}"] * 80_000) + "]\n}\n"
    for index in range(4):
        load([_tf(dense + f"# {index}\n", rel=f"modules/dense{index}/main.tf")])
    assert parsed._cost(dense) > 10 * len(dense)
    assert all("{},{}" not in text for _, text in parsed._memo)
    assert parsed._memo_total[0] <= parsed._MEMO_COST
