"""The transformer compiled by OpenVINO in bfloat16, and its export from the prepared model folder.

The export happens once, when the model is prepared: OpenVINO converts the PyTorch ``BertModel`` (traced;
no ONNX file or ``onnx`` package needed on the way) and saves its own IR (``e5.xml`` + ``e5.bin``, weights in
float16 as in the model folder, so nothing is lost). Loading it needs neither torch nor transformers.

Each compiled model keeps its own ``INFERENCE_NUM_THREADS``: one compiled for queries with one thread and
one for batches with every core run side by side without slowing each other through a shared setting.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from models.encoders import OPENVINO_BF16, mean_pooled
from models.token_batches import TokenBatch

IR_FILE = "e5.xml"
_INPUTS = ("input_ids", "attention_mask")


def export_openvino_model(model_dir: Path, folder: Path) -> None:
    """Convert the model in ``model_dir`` to OpenVINO IR files in ``folder`` (which must exist)."""
    import openvino
    import torch
    from transformers import BertModel

    class HiddenStates(torch.nn.Module):
        """Keyword arguments in, last hidden state out: what tracing needs (positional calls clash)."""

        def __init__(self, bert: BertModel) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    bert = BertModel.from_pretrained(
        str(model_dir), local_files_only=True, add_pooling_layer=False, dtype=torch.float32
    ).eval()
    example = {name: torch.ones((2, 8), dtype=torch.int64) for name in _INPUTS}
    with torch.inference_mode():
        converted = openvino.convert_model(
            HiddenStates(bert),
            example_input=example,
            input=[(name, [-1, -1], openvino.Type.i64) for name in _INPUTS],
        )
    openvino.save_model(converted, str(folder / IR_FILE), compress_to_fp16=True)


class OpenVinoEncoder:
    """Runs the exported IR on the CPU in bfloat16; one compiled model per lane and thread count, compiled on
    first use (a compiled model runs its requests one after another, so queries get a model of their own)."""

    backend = OPENVINO_BF16

    def __init__(self, folder: Path) -> None:
        import openvino

        self._core = openvino.Core()
        # Compiled blobs are cached beside the IR, so a later process compiles in milliseconds.
        self._core.set_property({"CACHE_DIR": str(folder / "cache")})
        self._model = self._core.read_model(str(folder / IR_FILE))
        self._compiled: dict[tuple[str, int], object] = {}
        self._guard = threading.Lock()

    def encode(self, batch: TokenBatch, threads: int, lane: str = "batch") -> np.ndarray:
        compiled = self.compiled(threads, lane)
        request = compiled.create_infer_request()  # one per call: calls from several threads never share one
        outputs = request.infer({"input_ids": batch.input_ids, "attention_mask": batch.attention_mask})
        return mean_pooled(next(iter(outputs.values())), batch.attention_mask)

    def compiled(self, threads: int, lane: str = "batch") -> object:
        """The model compiled for ``lane`` on ``threads`` threads (compiling it now if this is the first call)."""
        with self._guard:
            if (lane, threads) not in self._compiled:
                self._compiled[lane, threads] = self._core.compile_model(
                    self._model,
                    "CPU",
                    {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "bf16"},
                )
            return self._compiled[lane, threads]
