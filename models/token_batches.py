"""Tokenising for the encoder: e5's prompts, truncation, and padded batches of similar length.

Uses the ``tokenizers`` library directly on the model folder's ``tokenizer.json`` (no transformers, no torch),
so tokenising costs what it must and can run ahead of the model.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer


@dataclass
class TokenBatch:
    """Token ids of some texts padded to one length, with their mask and their rows in the caller's input."""

    rows: list[int]
    input_ids: np.ndarray
    """int64, shape (len(rows), length)."""
    attention_mask: np.ndarray
    """int64, 1 for a real token, 0 for padding."""

    @property
    def tokens(self) -> int:
        """Real tokens in the batch (padding excluded)."""
        return int(self.attention_mask.sum())


class PromptTokenizer:
    """Tokenises texts with a prompt in front, truncated to ``max_length`` tokens, specials included."""

    def __init__(self, tokenizer_file: Path, max_length: int) -> None:
        self.max_length = max_length
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_length)
        self._tokenizer.no_padding()
        self._pad_id = self._tokenizer.token_to_id("<pad>")

    def token_ids(self, texts: Sequence[str], prompt: str) -> list[list[int]]:
        """Each text's token ids, unpadded."""
        return [encoding.ids for encoding in self._tokenizer.encode_batch([prompt + text for text in texts])]

    def count(self, texts: Sequence[str], prompt: str) -> int:
        """How many tokens the texts take with the prompt, truncated as the model gets them."""
        return sum(len(ids) for ids in self.token_ids(texts, prompt))

    def batches(
        self, texts: Sequence[str], prompt: str, batch_tokens: int, max_batch: int, length_multiple: int = 1
    ) -> Iterator[TokenBatch]:
        """Padded batches, longest texts first, each holding at most ``batch_tokens`` padded tokens.

        Sorting by token count keeps the padding small; a budget in tokens rather than texts keeps the memory
        and the time of each batch about even, whether the texts are appeals or law articles. Each batch's
        length is rounded up to ``length_multiple`` tokens (never past ``max_length``), so that the model sees
        fewer distinct shapes.
        """
        ids = self.token_ids(texts, prompt)
        order = sorted(range(len(ids)), key=lambda row: -len(ids[row]))
        start = 0
        while start < len(order):
            length = self._rounded(len(ids[order[start]]), length_multiple)
            size = max(1, min(max_batch, batch_tokens // max(length, 1)))
            rows = order[start : start + size]
            yield self._padded(rows, [ids[row] for row in rows], length)
            start += size

    def _rounded(self, length: int, multiple: int) -> int:
        return max(length, min(-(-length // multiple) * multiple, self.max_length))

    def _padded(self, rows: list[int], ids: list[list[int]], length: int) -> TokenBatch:
        input_ids = np.full((len(ids), length), self._pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(ids), length), dtype=np.int64)
        for row, token_ids in enumerate(ids):
            input_ids[row, : len(token_ids)] = token_ids
            attention_mask[row, : len(token_ids)] = 1
        return TokenBatch(rows, input_ids, attention_mask)
