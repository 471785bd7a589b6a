"""Bridges that run nhilint's rules inside other tools (checkov)."""
