"""Pipedrive credentials at rest (tokens, OAuth grants): Fernet, fingerprints, the key file."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from cardin.store.errors import StoreError, TokenUnreadable

log = logging.getLogger(__name__)

KEY_CHANGED = (
    "A stored Pipedrive token cannot be decrypted: the secret key (CARDIN_SECRET_KEY or the key "
    "file) changed since the token was saved. Restore the previous key, or reauthorize the "
    "connector."
)


class TokenCipher:
    """Encrypts and decrypts API tokens with one Fernet key (AES-128-CBC + HMAC-SHA256)."""

    def __init__(self, key: bytes | str) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError) as exc:
            # The key itself must not reach the message: it is the secret.
            raise StoreError(
                "The secret key is not a Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with `cardin.store.TokenCipher.generate_key()`."
            ) from exc

    @staticmethod
    def generate_key() -> bytes:
        """A new random Fernet key."""
        return Fernet.generate_key()

    def encrypt(self, token: str) -> str:
        """The token's ciphertext (ASCII, different on every call)."""
        return self._fernet.encrypt(token.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str, *, ttl: int | None = None) -> str:
        """The token; TokenUnreadable when this key did not encrypt it (or, with `ttl`, did so
        more than `ttl` seconds ago)."""
        try:
            return self._fernet.decrypt(ciphertext.encode("ascii"), ttl=ttl).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise TokenUnreadable(KEY_CHANGED) from exc

    def decrypt_dated(self, ciphertext: str) -> tuple[str, int]:
        """The text and when it was encrypted (Unix seconds), at any age; TokenUnreadable when
        this key did not encrypt it."""
        try:
            data = ciphertext.encode("ascii")
            return self._fernet.decrypt(data).decode("utf-8"), self._fernet.extract_timestamp(data)
        except (InvalidToken, UnicodeError) as exc:
            raise TokenUnreadable(KEY_CHANGED) from exc


def token_fingerprint(token: str) -> str:
    """SHA-256 of the token, hex: tells tokens apart without revealing them."""
    # Plain SHA-256 is enough: Pipedrive tokens are 40 random hex digits, far beyond guessing.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def grant_fingerprint(company_id: int, user_id: int) -> str:
    """SHA-256 of an OAuth grant's Pipedrive company and user, hex: one sign-in per account.

    Prefixed, so that it never equals a token's fingerprint.
    """
    return hashlib.sha256(f"oauth:{company_id}:{user_id}".encode()).hexdigest()


def load_or_create_key(path: Path) -> bytes:
    """The Fernet key in `path`, created (file 0600, new folders 0700) when absent."""
    if not path.exists():
        _create_key_file(path)
    key = path.read_bytes().strip()
    _warn_if_readable_by_others(path)
    try:
        Fernet(key)
    except ValueError as exc:
        raise StoreError(f"The key file {path} does not hold a Fernet key.") from exc
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key next to `path`, then link it into place unless another process won."""
    make_private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, Fernet.generate_key() + b"\n")
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        # A hard link never replaces an existing file, and readers never see a half-written key:
        # two workers starting at once end up with the same key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink()


def make_private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents as 0700; leave existing folders alone."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for created in reversed(missing):
        with contextlib.suppress(FileExistsError):
            created.mkdir(mode=0o700)
            created.chmod(0o700)  # mkdir's mode is cut by the umask


def _warn_if_readable_by_others(path: Path) -> None:
    """Log (never the key) when group or others may read the key file."""
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("The key file %s is readable by other users; run `chmod 600` on it.", path)
