"""`nhilint fix` against what a hostile or busy repository does: a file edited while it is fixed,
values from the repository's configuration written into the files it fixes."""

from __future__ import annotations

from pathlib import Path

from nhilint.fixes import session

from .fix_harness import run_fix

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  serviceAccountName: web
  containers:
    - name: app
      image: registry.example.com/web:1.0
  volumes:
    - name: tok
      projected:
        sources:
          - serviceAccountToken:
              path: token
              expirationSeconds: 86400
"""


def test_a_file_edited_while_it_is_fixed_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    outcome = run_fix(tmp_path)
    assert "expirationSeconds: 3600" in outcome.texts["pod.yaml"]
    edited = POD.replace("name: web\n", "name: web-v2\n", 1)
    path.write_text(edited)  # someone saves the file between the scan and the write

    failed = session.write_all(outcome)

    assert path.read_text() == edited  # their edit is kept, not silently replaced
    assert len(failed) == 1 and "pod.yaml" in failed[0] and "changed" in failed[0]


def test_an_unchanged_file_is_written(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(POD)
    assert session.write_all(run_fix(tmp_path)) == []
    assert "expirationSeconds: 3600" in path.read_text()
