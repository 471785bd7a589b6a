"""Moved to `nhilint.parse.tree`; kept until `iam` (moving to `knowledge/` on another branch) imports it
from there. Delete after the merge of issue 17's branches."""

from nhilint.parse.tree import LMap, LSeq, Pos

__all__ = ["LMap", "LSeq", "Pos"]
