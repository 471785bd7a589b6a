"""Terraform and OpenTofu: a module (one directory) is one unit, read with the local modules it calls."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from nhilint.formats.base import Format, SourceFile
from nhilint.formats.terraform import modules
from nhilint.parse.blocks import hcl_extents

# OpenTofu reads `.tofu` and `.tofu.json` as Terraform does `.tf` and `.tf.json`.
SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json", ".tfvars", ".tfvars.json")


def is_plan(file: SourceFile) -> bool:
    """Whether a Terraform file is a plan (`terraform show -json`): a file not taken by its name was
    taken by its content (`plan.json`, `-` on stdin). Here, not in the extractor: reading asks it of
    every Terraform file, and a `.tf` answers without importing the extractor or the plan reader."""
    if file.rel.endswith(SUFFIXES):
        return False
    from nhilint.formats.terraform.plan import looks_like_plan

    return (
        looks_like_plan(file.text[:200].encode("utf-8", "replace"))
        or '"terraform_version"' in file.text[:200_000]
    )


def _by_path(path: PurePosixPath, text: str) -> bool:
    return path.name.endswith(SUFFIXES)


def _plan_shape(top: Mapping[str, object]) -> bool:
    """`terraform show -json` of a plan (format 1.x), whatever the file is called."""
    version = top.get("format_version")
    return (
        isinstance(version, str)
        and version.startswith("1.")
        and "terraform_version" in top
        and ("planned_values" in top or "resource_changes" in top)
    )


def _plan_words(name: str, head: str) -> bool:
    """A plan that does not parse (cut short): reported as NHI001, not dropped."""
    return '"terraform_version"' in head and '"format_version"' in head


FORMAT = Format(
    name=modules.NAME,
    title="Terraform",
    language="hcl",
    extractor="nhilint.formats.terraform.extract",
    suffixes=SUFFIXES,
    by_path=_by_path,
    per_directory=True,
    noun="terraform resource",
    tags_at_place=("terraform-aws-default-tags", "default_tags in the {place}"),
    newline_lines=lambda rel, text: True,  # HCL and JSON
    comment_markers=("#", "//"),
    block_suffixes=(".tf", ".tofu", ".hcl", ".tfvars"),
    block_extents=hcl_extents,
    mentions="terraform_version",  # a plan (JSON): `.tf` files are taken by name
    by_shape=_plan_shape,
    keys=("planned_values", "resource_changes"),  # mappings: noted by a sniff of a file not named .json
    by_words=_plan_words,
    pulls_in=modules.pulled_in,
    context=modules.context,
)
