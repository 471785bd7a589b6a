"""Terraform and OpenTofu: a module (one directory) is one unit, read with the local modules it calls."""

from __future__ import annotations

from pathlib import PurePosixPath

from nhilint.formats.base import Format
from nhilint.formats.terraform import modules
from nhilint.parse.blocks import hcl_extents

# OpenTofu reads `.tofu` and `.tofu.json` as Terraform does `.tf` and `.tf.json`.
SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json", ".tfvars", ".tfvars.json")


def _by_path(path: PurePosixPath, text: str) -> bool:
    return path.name.endswith(SUFFIXES)


FORMAT = Format(
    name=modules.NAME,
    title="Terraform",
    language="hcl",
    extractor="nhilint.formats.terraform.extract",
    suffixes=SUFFIXES,
    by_path=_by_path,
    per_directory=True,
    newline_lines=lambda text: True,  # HCL and JSON
    comment_markers=("#", "//"),
    block_suffixes=(".tf", ".tofu", ".hcl", ".tfvars"),
    block_extents=hcl_extents,
    pulls_in=modules.pulled_in,
    context=modules.context,
)
