"""Matching: rules × Document → Findings (scope, evidence kinds, named extractors); no I/O."""
