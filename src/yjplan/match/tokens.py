"""Word boundaries from jieba, for keywords that must match whole words (``tokens: true``).

jieba's default dictionary costs ~0.5 s to load, so it is loaded once per process and only when
a rule asks for token matching; results are cached per text because a rule may ask many times.
"""

from __future__ import annotations

import functools
import logging


@functools.cache
def _tokenizer():  # type: ignore[no-untyped-def]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    return tok


@functools.lru_cache(maxsize=4096)
def token_boundaries(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """(start offsets, end offsets) of jieba's tokens in ``text``."""
    starts: set[int] = set()
    ends: set[int] = set()
    for _word, start, end in _tokenizer().tokenize(text):
        starts.add(start)
        ends.add(end)
    return frozenset(starts), frozenset(ends)
