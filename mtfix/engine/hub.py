"""Downloading from the Hugging Face hub (``mtfix models pull`` only).

Nothing else in mtfix touches the network: translation resolves models from
disk (see :mod:`mtfix.engine.registry`).
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

from mtfix.errors import MtfixError

HUB_HOST = "huggingface.co"
# Weights and tokenizer files a translation model needs; other frameworks'
# weights (TF, Flax, Rust) are skipped.
ALLOW = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors", "pytorch_model.bin", "*.md"]


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def hub_reachable(timeout: float = 5.0) -> bool:
    """Whether the hub's name resolves and its port answers within ``timeout`` s.

    Without network, name resolution alone can hang for ~26 s; it runs in a
    daemon thread so the caller waits ``timeout`` at most.
    """
    if offline():
        return False
    result: list[bool] = []

    def probe():
        try:
            with socket.create_connection((HUB_HOST, 443), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def pull(hub_id: str, *, name: str, revision: str | None = None, local_dir: Path | None = None) -> Path:
    """``snapshot_download`` ``hub_id`` into the HF cache (or ``local_dir``); returns the folder."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    if not hub_reachable():
        raise MtfixError(
            f"cannot reach {HUB_HOST} to pull {name}"
            + (" (HF_HUB_OFFLINE is set)" if offline() else "")
            + "; run this on a connected machine and copy the folder it prints, then pass that directory as the model"
        )
    allow = list(ALLOW)
    try:
        files = {s.rfilename for s in HfApi().model_info(hub_id, revision=revision).siblings or []}
        if any(f.endswith(".safetensors") for f in files):
            allow.remove("pytorch_model.bin")  # same weights twice otherwise
        path = snapshot_download(
            hub_id, revision=revision, allow_patterns=allow, local_dir=str(local_dir) if local_dir else None
        )
    except RepositoryNotFoundError:
        raise MtfixError(f"{hub_id}: no such model on the hub (or it is gated: `huggingface-cli login`)") from None
    except RevisionNotFoundError:
        raise MtfixError(f"{hub_id}: no revision {revision}") from None
    except (HfHubHTTPError, OSError) as e:
        raise MtfixError(f"pulling {hub_id} failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    return Path(path)
