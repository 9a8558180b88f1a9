"""Reading claims as people write them: sentences and whole articles → claims.

:func:`read_text` splits a text into sentences and reads each (:mod:`.core`); the parties come
from the world data (:mod:`.names`), time phrases from the terms and events tables
(:mod:`.when`), the relations from a table of phrasings (:mod:`.patterns`). The reader only
emits grammar objects (:mod:`comity.claims.grammar`), each shown as a reading in template form.
"""

from __future__ import annotations

from comity.claims.reader.core import (
    AmbiguousNameError,
    ReadClaim,
    Reading,
    Skipped,
    party_label,
    read_sentence,
    read_text,
    reading_text,
    split_sentences,
)

__all__ = ["AmbiguousNameError", "ReadClaim", "Reading", "Skipped", "party_label",
           "read_sentence", "read_text", "reading_text", "split_sentences"]
