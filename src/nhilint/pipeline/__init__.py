"""The scan pipeline, one module per stage: discover -> read -> units -> extract -> (rules) -> suppress ->
fingerprint -> baseline -> fold, with production (what deploys where) and parallel (extraction in
worker processes). `scan.scan` runs it start to end; docs/architecture.md maps it."""
