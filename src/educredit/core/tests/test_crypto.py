"""Field encryption, key rotation, blind index and masking of identity numbers."""

import base64
import json
import secrets
import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from educredit.core.crypto import (
    FieldDecryptionError,
    blind_index,
    decrypt_text,
    encrypt_text,
    mask_document_number,
    normalise_document_number,
    token_key_id,
)
from educredit.core.management.commands.keys import next_key_id
from educredit.keys import load_keys

K1 = secrets.token_bytes(32)
K2 = secrets.token_bytes(32)
ONLY_K1 = {"EDUCREDIT_FIELD_KEYS": {"k1": K1}, "EDUCREDIT_FIELD_KEY_CURRENT": "k1"}
K2_CURRENT = {"EDUCREDIT_FIELD_KEYS": {"k1": K1, "k2": K2}, "EDUCREDIT_FIELD_KEY_CURRENT": "k2"}
NUMBER = "41010519900101123X"


def test_round_trip_and_fresh_nonce_each_time():
    first, second = encrypt_text(NUMBER), encrypt_text(NUMBER)
    assert first != second  # equal numbers do not give equal ciphertexts
    assert NUMBER not in first
    assert decrypt_text(first) == decrypt_text(second) == NUMBER
    assert decrypt_text(encrypt_text("张三 Zhāng")) == "张三 Zhāng"


def test_tampered_ciphertext_is_refused():
    token = encrypt_text(NUMBER)
    key_id, _, payload = token.partition(":")
    raw = bytearray(base64.b64decode(payload))
    for position in (0, 12, len(raw) - 1):  # nonce, ciphertext, tag
        changed = bytearray(raw)
        changed[position] ^= 0x01
        with pytest.raises(FieldDecryptionError):
            decrypt_text(f"{key_id}:{base64.b64encode(bytes(changed)).decode()}")
    with pytest.raises(FieldDecryptionError):
        decrypt_text(token[:-4])  # truncated
    with pytest.raises(FieldDecryptionError):
        decrypt_text(f"{key_id}:not base64!")


def test_ciphertext_is_bound_to_its_associated_data():
    token = encrypt_text(NUMBER, associated_data=b"person:1")
    assert decrypt_text(token, associated_data=b"person:1") == NUMBER
    with pytest.raises(FieldDecryptionError):
        decrypt_text(token, associated_data=b"person:2")  # copied onto another row


def test_unknown_key_id_is_refused():
    with pytest.raises(FieldDecryptionError):
        decrypt_text("k9:" + encrypt_text(NUMBER).partition(":")[2])


def test_old_tokens_decrypt_after_rotation():
    with override_settings(**ONLY_K1):
        old = encrypt_text(NUMBER)
    assert token_key_id(old) == "k1"
    with override_settings(**K2_CURRENT):
        new = encrypt_text(NUMBER)
        assert token_key_id(new) == "k2"
        assert decrypt_text(old) == decrypt_text(new) == NUMBER
    with override_settings(**ONLY_K1), pytest.raises(FieldDecryptionError):
        decrypt_text(new)  # a process that never saw k2 cannot read it


def test_blind_index_is_stable_normalised_and_per_purpose():
    assert blind_index(NUMBER) == blind_index(" 41010519900101123x ")
    assert blind_index(NUMBER) != blind_index("410105199001011220")
    assert blind_index(NUMBER, purpose="document") != blind_index(NUMBER, purpose="uscc")
    assert NUMBER not in blind_index(NUMBER)


def test_blind_index_depends_on_the_key():
    before = blind_index(NUMBER)
    with override_settings(EDUCREDIT_BLIND_INDEX_KEY=secrets.token_bytes(32)):
        assert blind_index(NUMBER) != before


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("41010519900101123X", "410105********123X"),
        ("41010519900101123x", "410105********123X"),
        ("USA110082020011", "USA110*****0011"),
        ("E12345678", "E1*****78"),
        ("12345678", "12****78"),
    ],
)
def test_masking(number, masked):
    assert mask_document_number(number) == masked
    assert len(masked) == len(normalise_document_number(number))


def test_next_key_id_never_reuses():
    assert next_key_id({"k1": ""}) == "k2"
    assert next_key_id({"k1": "", "k10": "", "legacy": ""}) == "k11"
    assert next_key_id({}) == "k1"


def test_keys_rotate_adds_a_current_key_and_prints_no_key_material(tmp_path):
    path = tmp_path / "keys.json"
    with override_settings(KEY_FILE=str(path)):
        out = StringIO()
        call_command("keys", "status", stdout=StringIO())  # creates the file on first use
        before = json.loads(path.read_text())
        call_command("keys", "rotate", stdout=out)
    after = json.loads(path.read_text())
    assert after["field_key_current"] == "k2"
    assert after["field_keys"]["k1"] == before["field_keys"]["k1"]
    assert len(base64.b64decode(after["field_keys"]["k2"])) == 32
    for unchanged in ("django_secret", "blind_index_key", "audit_signing_key"):
        assert after[unchanged] == before[unchanged]
    printed = out.getvalue()
    assert "k2" in printed
    for secret in [*after["field_keys"].values(), after["blind_index_key"]]:
        assert secret not in printed
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = load_keys(path)
    with override_settings(
        EDUCREDIT_FIELD_KEYS=keys.field_keys, EDUCREDIT_FIELD_KEY_CURRENT=keys.field_key_current
    ):
        assert token_key_id(encrypt_text(NUMBER)) == "k2"


def test_keys_status_lists_ids_only(tmp_path):
    path = tmp_path / "keys.json"
    out = StringIO()
    with override_settings(KEY_FILE=str(path)):
        call_command("keys", "rotate", stdout=StringIO())
        call_command("keys", "status", stdout=out)
    material = json.loads(path.read_text())
    printed = out.getvalue()
    assert "k1" in printed and "k2  ← 当前 / current" in printed
    assert material["field_keys"]["k2"] not in printed
