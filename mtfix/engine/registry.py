"""Model presets (``models/*.toml``) and resolving what the user typed.

A ``--model`` value may be a preset name (``opus-mt-ar-en``), a Hugging Face
hub id (``Helsinki-NLP/opus-mt-ar-en``) or a local directory (Hugging Face
format, or a CTranslate2 conversion made by ``mtfix models convert``).
:func:`resolve` turns it into a :class:`ModelRef` pointing at weights on disk,
never touching the network: downloading is ``mtfix models pull``'s job.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from mtfix.errors import MtfixError
from mtfix.params import Range

FAMILIES = ("marian", "nllb", "m2m100")
CT2_META = "mtfix.json"  # written next to a CTranslate2 conversion
CT2_TOKENIZER_DIR = "hf"  # the Hugging Face tokenizer + config inside a conversion


class _PresetFile:
    """The keys of a model preset (``models/NAME.toml``), declared as a config table's are (:mod:`mtfix.params`)."""

    PARAMS = {"name": (str, "", "what --model calls it"), "hub_id": (str, "", "its Hugging Face hub id"),
              "family": (str, "marian", "marian, nllb or m2m100"),
              "directions": (list[str], [], "language pairs it translates, e.g. ar-en"),
              "description": (str, "", "one line for `mtfix models list`"),
              "languages": (dict[str, str], {}, "mtfix language code -> the model's"),
              "target_tokens": (dict[str, str], {}, "Marian multi-target: language -> >>xxx<< token"),
              "default_for": (list[str], [], "the directions it is the default model of"),
              "limits": (dict, {}, "the [limits] table")}
    CHOICES = {"family": FAMILIES}


class _PresetLimits:
    PARAMS = {"max_source_tokens": (int, 512, "longest source the model takes, in tokens"),
              "max_target_tokens": (int, 512, "longest output it makes, in tokens")}
    LIMITS = {"max_source_tokens": Range(1), "max_target_tokens": Range(1)}


@dataclass(frozen=True)
class Preset:
    name: str
    hub_id: str
    family: str
    directions: tuple[str, ...]
    description: str = ""
    languages: dict[str, str] = field(default_factory=dict)  # mtfix code -> model code
    target_tokens: dict[str, str] = field(default_factory=dict)  # Marian multi-target
    max_source_tokens: int | None = None
    max_target_tokens: int | None = None
    default_for: tuple[str, ...] = ()
    path: Path | None = None

    @classmethod
    def from_toml(cls, path: Path) -> "Preset":
        from mtfix.tomlcompat import loads as toml_loads  # here: a model given as a folder reads no preset

        try:
            data = toml_loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:  # a decoding error, TOMLDecodeError, a number of over 4300 digits
            raise MtfixError(f"preset {path}: cannot be read ({e})") from None
        missing = [k for k in ("name", "hub_id", "family", "directions") if k not in data]
        if missing:
            raise MtfixError(f"preset {path}: missing {', '.join(missing)}")
        from mtfix.params import validate

        validate(_PresetFile, data, f"preset {path}:")
        limits = validate(_PresetLimits, data.get("limits", {}), f"preset {path}: [limits]")
        return cls(
            name=data["name"],
            hub_id=data["hub_id"],
            family=data["family"],
            directions=tuple(data["directions"]),
            description=data.get("description", ""),
            languages=dict(data.get("languages", {})),
            target_tokens=dict(data.get("target_tokens", {})),
            max_source_tokens=limits.get("max_source_tokens"),
            max_target_tokens=limits.get("max_target_tokens"),
            default_for=tuple(data.get("default_for", ())),
            path=path,
        )


@dataclass(frozen=True)
class ModelRef:
    """A model found on disk, with what we know of where it came from."""

    spec: str  # what the user typed
    name: str  # preset name, hub id or directory name
    path: Path  # the weights: a Hugging Face dir or a CTranslate2 dir
    format: str  # "hf" or "ct2"
    hub_id: str | None = None
    revision: str | None = None  # hub commit, when known
    preset: Preset | None = None
    quantization: str | None = None  # CTranslate2 conversions only

    @property
    def hf_dir(self) -> Path:
        """Where the Hugging Face tokenizer and config live."""
        if self.format == "ct2" and (self.path / CT2_TOKENIZER_DIR).is_dir():
            return self.path / CT2_TOKENIZER_DIR
        return self.path

    def describe(self) -> dict:
        return {
            "name": self.name,
            "hub_id": self.hub_id,
            "revision": self.revision,
            "path": str(self.path),
            "format": self.format,
            "quantization": self.quantization,
        }


def model_fingerprint(ref: ModelRef) -> str:
    """A model's identity without loading it: its hub revision when known; else a
    hash of its config and tokenizer files and of its weights' size and mtime (a
    model re-saved in place at the same size still gets a new fingerprint)."""
    if ref.revision:
        return f"{ref.hub_id or ref.name}@{ref.revision}"
    digest = hashlib.sha256()
    for f in sorted(p for p in ref.path.rglob("*") if p.is_file()):
        stat = f.stat()
        digest.update(str(f.relative_to(ref.path)).encode())
        if f.suffix in (".json", ".spm", ".model") and stat.st_size < 5_000_000:
            digest.update(f.read_bytes())
        else:
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    return f"{ref.name}#{digest.hexdigest()[:16]}"


#: The presets shipped with mtfix (the checkout's ``models/*.toml``).
BUILTIN_PRESETS = Path(__file__).resolve().parents[2] / "models"


def default_models_dir() -> Path:
    """``$MTFIX_MODELS_DIR``, else the checkout's ``models/``, else ``models`` in mtfix's cache folder
    (``$XDG_CACHE_HOME/mtfix/models``, default ``~/.cache/mtfix/models``: one rule for every mtfix
    cache folder, :func:`mtfix.text.diskcache.cache_dir`)."""
    env = os.environ.get("MTFIX_MODELS_DIR")
    if env:
        return Path(env)
    if BUILTIN_PRESETS.is_dir():
        return BUILTIN_PRESETS
    from mtfix.text.diskcache import cache_dir

    return cache_dir() / "models"


def models_folder(models_dir: str | os.PathLike | None = None) -> Path:
    """The models folder: ``models_dir`` (``--models-dir``), else :func:`default_models_dir`. One that was
    named (the option, ``$MTFIX_MODELS_DIR``) is made when a conversion or a pull first needs it, but not the
    folders above it (:func:`mtfix.outputs.check_folder_above`: ``--models-dir /missing/deep/path`` is one
    line, not a new tree without your presets and models); it may not be a file. The default in mtfix's
    cache folder (``$XDG_CACHE_HOME/mtfix/models``) is made with the folders above it, as caches are."""
    if models_dir is None:
        env = os.environ.get("MTFIX_MODELS_DIR")
        if not env:
            return default_models_dir()
        models_dir, option = env, "$MTFIX_MODELS_DIR"
    else:
        option = "--models-dir"
    models_dir = Path(models_dir)
    if models_dir.exists():
        if not models_dir.is_dir():
            raise MtfixError(f"{option} {models_dir}: is a file, not a folder")
        return models_dir
    from mtfix.outputs import check_folder_above

    check_folder_above(models_dir, option, "the models folder")
    return models_dir


def load_presets(models_dir: Path | None = None) -> dict[str, Preset]:
    """The built-in presets, then any ``*.toml`` in ``models_dir`` (same name: the models dir wins)."""
    models_dir = models_folder(models_dir)
    presets: dict[str, Preset] = {}
    for folder in dict.fromkeys([BUILTIN_PRESETS, models_dir]):
        for path in sorted(Path(folder).glob("*.toml")):
            preset = Preset.from_toml(path)
            presets[preset.name] = preset
    return presets


def default_model(direction: str, models_dir: Path | None = None) -> str:
    """The preset marked ``default_for`` this direction (e.g. ``"ar-en"``)."""
    for preset in load_presets(models_dir).values():
        if direction in preset.default_for:
            return preset.name
    raise MtfixError(f"no default model for {direction}; pass one with --model (see `mtfix models list`)")


def is_ct2_dir(path: Path) -> bool:
    return (path / "model.bin").is_file()


def storage_key(spec: str) -> str:
    """A folder name for conversions/pulls of ``spec`` under the models dir."""
    p = Path(spec)
    if p.exists():
        digest = hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:8]
        return f"{p.resolve().name}-{digest}"
    return spec.replace("/", "--")


def ct2_dir_for(spec: str, quantization: str, models_dir: Path | None = None) -> Path:
    return models_folder(models_dir) / f"{storage_key(spec)}-ct2-{quantization}"


def _hub_snapshot(hub_id: str, revision: str | None = None) -> Path | None:
    """The cached snapshot of ``hub_id``, without touching the network.

    Read from the Hugging Face cache layout (``models--org--name/refs/<rev>``
    -> ``snapshots/<commit>``), as ``snapshot_download(local_files_only=True)``
    does, without importing ``huggingface_hub.hf_api`` (start-up time).
    """
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / ("models--" + hub_id.replace("/", "--"))
    rev = revision or "main"
    try:
        if not re.fullmatch(r"[0-9a-f]{40}", rev):
            ref = repo / "refs" / rev
            if not ref.is_file():
                return None
            rev = ref.read_text(encoding="utf-8").strip()
        snapshot = repo / "snapshots" / rev
        return snapshot if snapshot.is_dir() else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _revision_of(path: Path) -> str | None:
    # HF cache layout: .../models--org--name/snapshots/<commit>/
    if path.parent.name == "snapshots" and re.fullmatch(r"[0-9a-f]{40}", path.name):
        return path.name
    return None


def _check_local_dir(path: Path, spec: str) -> str:
    if is_ct2_dir(path):
        return "ct2"
    if not (path / "config.json").is_file():
        raise MtfixError(
            f"{spec}: not a model directory (no config.json or model.bin); "
            f"pass a Hugging Face model dir, a `mtfix models convert` output, or a preset name"
        )
    text = None
    try:
        text = (path / "config.json").read_text(encoding="utf-8")
        config = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        what = "empty" if text is not None and not text.strip() else f"corrupt ({e})"
        raise MtfixError(f"{spec}: config.json is {what}; pull the model again") from None
    if not isinstance(config, dict):
        raise MtfixError(f"{spec}: config.json is corrupt (not a JSON object); pull the model again")
    need = _CONFIG_KEYS.get(config.get("model_type"), ())
    if missing := [k for k in ("model_type", *need) if k not in config]:
        raise MtfixError(f"{spec}: config.json is incomplete (it lacks {', '.join(missing)}); pull the model again")
    return "hf"


#: what a seq2seq model's config.json must say for its weights to be read (a truncated one would load
#: the architecture's default sizes, and transformers fails with a report several screens long)
_CONFIG_KEYS = dict.fromkeys(("marian", "m2m_100"), ("d_model", "vocab_size", "encoder_layers", "decoder_layers",
                                                      "encoder_attention_heads", "decoder_attention_heads",
                                                      "encoder_ffn_dim", "decoder_ffn_dim"))


def _from_dir(spec: str, path: Path, preset: Preset | None = None, hub_id: str | None = None) -> ModelRef:
    fmt = _check_local_dir(path, spec)
    revision = _revision_of(path)
    if revision and hub_id is None and path.parents[1].name.startswith("models--"):
        hub_id = path.parents[1].name[len("models--") :].replace("--", "/")
    quantization = None
    if fmt == "ct2" and (path / CT2_META).is_file():
        try:
            meta = json.loads((path / CT2_META).read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:  # JSONDecodeError, UnicodeDecodeError are ValueErrors
            raise MtfixError(f"{spec}: {CT2_META} (what the conversion was made from) is corrupt ({e}); "
                             f"convert the model again (mtfix models convert)") from None
        hub_id = hub_id or meta.get("hub_id")
        revision = revision or meta.get("revision")
        quantization = meta.get("quantization")
        if preset is None and meta.get("preset"):
            preset = load_presets().get(meta["preset"])
    return ModelRef(
        spec=spec,
        name=preset.name if preset else (hub_id or path.name),
        path=path,
        format=fmt,
        hub_id=hub_id,
        revision=revision,
        preset=preset,
        quantization=quantization,
    )


def not_offline_message(name: str) -> str:
    return (
        f"model {name} is not available offline: run `mtfix models pull {name}` "
        f"on a connected machine, or pass a local model directory instead"
    )


def resolve(spec: str, models_dir: Path | None = None) -> ModelRef:
    """Find ``spec`` (preset name, hub id or local dir) on disk; never downloads."""
    if not spec or not spec.strip():
        raise MtfixError("empty model name; pass a preset (see `mtfix models list`), a hub id or a directory")
    spec = spec.strip()
    models_dir = models_folder(models_dir)
    path = Path(spec).expanduser()
    if path.is_dir():
        return _from_dir(spec, path)
    presets = load_presets(models_dir)
    preset = presets.get(spec)
    if preset is None:
        by_hub = [p for p in presets.values() if p.hub_id == spec]
        preset = by_hub[0] if by_hub else None
    if preset is None and path.exists():  # a file, a device: "no such model directory" said it was not there
        raise MtfixError(f"{spec}: is a file, not a model directory; pass a model folder, a preset or a hub id")
    if preset is None and "/" not in spec:
        if spec.startswith((".", "~")) or os.sep in spec:
            raise MtfixError(f"{spec}: no such model directory")
        known = ", ".join(sorted(presets)) or "none"
        raise MtfixError(f"unknown model {spec}; known presets: {known}; or pass a hub id (org/name) or a directory")
    if preset is None and (spec.startswith(("/", ".", "~")) or spec.count("/") != 1):
        raise MtfixError(f"{spec}: no such model directory")
    hub_id = preset.hub_id if preset else spec
    name = preset.name if preset else spec
    pulled = models_dir / storage_key(name)
    if pulled.is_dir():
        return _from_dir(spec, pulled, preset=preset, hub_id=hub_id)
    snapshot = _hub_snapshot(hub_id)
    if snapshot is not None:
        return _from_dir(spec, snapshot, preset=preset, hub_id=hub_id)
    raise MtfixError(not_offline_message(name))
