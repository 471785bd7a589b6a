"""`nhilint fix`: turn findings into span edits of the files that hold them.

A fixer (one module per fix, listed in `registry.py`) reads one file's text and the findings on it
and returns `Fix`es: character-span edits located from our own parsers' positions, so every byte
outside an edited span is kept (comments, quoting, key order, line endings). `run.py` applies them
in rounds, re-scanning between rounds, until nothing is left to fix.
"""
