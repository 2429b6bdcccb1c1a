"""The Ed25519 signed-manifest scheme: a signed folder verifies, and every kind of tampering is
refused with a message that says what is wrong."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from clinic_app.security.signatures import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ChangedFileError,
    KeyFileError,
    MalformedManifestError,
    MissingSignatureError,
    UntrustedSignatureError,
    fingerprint,
    generate_private_key,
    load_private_key,
    load_public_key,
    parse_manifest,
    private_key_pem,
    public_key_base64,
    public_key_pem,
    sign_manifest,
    verify_manifest,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@pytest.fixture
def it_key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture
def pack(tmp_path: Path, it_key: Ed25519PrivateKey) -> Path:
    root = tmp_path / "pack"
    (root / "docs").mkdir(parents=True)
    (root / "model.onnx").write_bytes(bytes(range(256)) * 40)
    (root / "manifest.json").write_text('{"name": "demo"}\n')
    (root / "docs" / "LICENSE.txt").write_text("licence text\n")
    sign_manifest(root, it_key)
    return root


def test_a_signed_folder_verifies_and_lists_every_file(
    pack: Path, it_key: Ed25519PrivateKey
) -> None:
    verified = verify_manifest(pack, [it_key.public_key()])
    assert [e.path for e in verified.entries] == ["docs/LICENSE.txt", "manifest.json", "model.onnx"]
    assert verified.key_fingerprint == fingerprint(it_key.public_key())
    assert verified.sha256_of("model.onnx") is not None
    text = (pack / MANIFEST_NAME).read_text()
    assert text.startswith("clinic-signed-manifest 1\nsha256 ")
    assert len((pack / SIGNATURE_NAME).read_text().strip()) == 88


def test_any_one_of_several_trusted_keys_may_match(pack: Path, it_key: Ed25519PrivateKey) -> None:
    other = generate_private_key().public_key()
    assert verify_manifest(pack, [other, it_key.public_key()]).key_fingerprint == fingerprint(
        it_key.public_key()
    )


def test_one_changed_byte_in_a_file_is_refused(pack: Path, it_key: Ed25519PrivateKey) -> None:
    data = bytearray((pack / "model.onnx").read_bytes())
    data[5000] ^= 0x01
    (pack / "model.onnx").write_bytes(bytes(data))
    with pytest.raises(ChangedFileError, match=r"model\.onnx .* changed after it was signed"):
        verify_manifest(pack, [it_key.public_key()])


def test_a_changed_byte_in_the_manifest_breaks_the_signature(
    pack: Path, it_key: Ed25519PrivateKey
) -> None:
    text = (pack / MANIFEST_NAME).read_text()
    (pack / MANIFEST_NAME).write_text(text.replace(" 10240 ", " 10241 "))
    with pytest.raises(UntrustedSignatureError, match="does not verify"):
        verify_manifest(pack, [it_key.public_key()])


def test_a_wrong_key_is_refused(pack: Path) -> None:
    with pytest.raises(UntrustedSignatureError, match="another key"):
        verify_manifest(pack, [generate_private_key().public_key()])


def test_no_trusted_key_at_all_is_refused(pack: Path) -> None:
    with pytest.raises(UntrustedSignatureError, match="No trusted signing key"):
        verify_manifest(pack, [])


def test_a_missing_signature_is_refused(pack: Path, it_key: Ed25519PrivateKey) -> None:
    (pack / SIGNATURE_NAME).unlink()
    with pytest.raises(MissingSignatureError, match="not signed"):
        verify_manifest(pack, [it_key.public_key()])


def test_a_truncated_signature_is_refused(pack: Path, it_key: Ed25519PrivateKey) -> None:
    text = (pack / SIGNATURE_NAME).read_text().strip()
    (pack / SIGNATURE_NAME).write_text(base64.b64encode(base64.b64decode(text)[:40]).decode())
    with pytest.raises(UntrustedSignatureError, match="truncated or malformed"):
        verify_manifest(pack, [it_key.public_key()])
    (pack / SIGNATURE_NAME).write_text("not base64 at all!")
    with pytest.raises(UntrustedSignatureError, match="not base64"):
        verify_manifest(pack, [it_key.public_key()])


def test_a_truncated_file_is_refused(pack: Path, it_key: Ed25519PrivateKey) -> None:
    data = (pack / "model.onnx").read_bytes()
    (pack / "model.onnx").write_bytes(data[:-100])
    with pytest.raises(ChangedFileError, match="changed after it was signed"):
        verify_manifest(pack, [it_key.public_key()])


def test_a_truncated_manifest_is_refused_even_when_re_signed(
    pack: Path, it_key: Ed25519PrivateKey
) -> None:
    text = (pack / MANIFEST_NAME).read_bytes()
    cut = text[: text.rindex(b"\n")]  # drop the final line end
    (pack / MANIFEST_NAME).write_bytes(cut)
    sig = it_key.sign(cut)
    (pack / SIGNATURE_NAME).write_text(base64.b64encode(sig).decode())
    with pytest.raises(MalformedManifestError, match="truncated"):
        verify_manifest(pack, [it_key.public_key()])


def test_an_added_or_removed_file_is_refused(pack: Path, it_key: Ed25519PrivateKey) -> None:
    (pack / "extra.py").write_text("print('hi')\n")
    with pytest.raises(ChangedFileError, match=r"not signed: extra\.py"):
        verify_manifest(pack, [it_key.public_key()])
    (pack / "extra.py").unlink()
    (pack / "docs" / "LICENSE.txt").unlink()
    with pytest.raises(ChangedFileError, match=r"lacks a signed file: docs/LICENSE\.txt"):
        verify_manifest(pack, [it_key.public_key()])


def test_unsafe_paths_in_a_manifest_are_refused() -> None:
    digest = "0" * 64
    for name in ("../etc/passwd", "/abs/file", "a\\b"):
        data = f"clinic-signed-manifest 1\nsha256 {digest} 1 {name}\n".encode()
        with pytest.raises(MalformedManifestError):
            parse_manifest(data)


def test_keys_load_from_pem_and_raw_base64_files(tmp_path: Path) -> None:
    key = generate_private_key()
    (tmp_path / "it.pem").write_bytes(private_key_pem(key))
    (tmp_path / "it.pub.pem").write_bytes(public_key_pem(key.public_key()))
    (tmp_path / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")
    loaded = load_private_key(tmp_path / "it.pem")
    assert fingerprint(loaded.public_key()) == fingerprint(key.public_key())
    assert fingerprint(load_public_key(tmp_path / "it.pub.pem")) == fingerprint(key.public_key())
    assert fingerprint(load_public_key(tmp_path / "it.pub")) == fingerprint(key.public_key())


def test_bad_key_files_give_clear_errors(tmp_path: Path) -> None:
    key = generate_private_key()
    (tmp_path / "short.pub").write_text(base64.b64encode(b"x" * 31).decode())
    (tmp_path / "junk.pub").write_text("hello world")
    (tmp_path / "private.pem").write_bytes(private_key_pem(key))
    with pytest.raises(KeyFileError, match="32-byte"):
        load_public_key(tmp_path / "short.pub")
    with pytest.raises(KeyFileError, match="neither a PEM key nor a base64"):
        load_public_key(tmp_path / "junk.pub")
    with pytest.raises(KeyFileError, match="is a private key"):
        load_public_key(tmp_path / "private.pem")
    with pytest.raises(KeyFileError, match="Cannot read"):
        load_public_key(tmp_path / "absent.pub")
