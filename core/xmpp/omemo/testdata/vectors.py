#!/usr/bin/python3
"""Writes vectors.json: what Syndace's python-oldmemo (Debian's
python3-oldmemo, an independent OMEMO 0.3 implementation) puts on the
wire, for core/xmpp/omemo's tests: a bundle of fresh keys serialised by
oldmemo.etree.serialize_bundle, and a payload encrypted the way
oldmemo's encrypt_plaintext does (AES-128-GCM, 12-byte IV, the tag kept
apart). Run it again to make new ones; the test reads the file."""
import asyncio, base64, json, secrets
import xml.etree.ElementTree as ET

import x3dh
import xeddsa
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from oldmemo import etree
from oldmemo.oldmemo import BundleImpl


def bundle():
    identity_priv = secrets.token_bytes(32)  # an Ed25519 seed
    identity_pub = xeddsa.seed_to_ed25519_pub(identity_priv)
    spk_priv = xeddsa.priv_force_sign(secrets.token_bytes(32), False)
    spk_pub = xeddsa.priv_to_curve25519_pub(spk_priv)
    # The signature covers the signed prekey as serialised (0x05 || key).
    sig = xeddsa.ed25519_seed_sign(identity_priv, b"\x05" + spk_pub)
    pre_keys = {xeddsa.priv_to_curve25519_pub(secrets.token_bytes(32)): i for i in range(1, 4)}
    b = BundleImpl("juliet@capulet.lit", 31415,
                   x3dh.Bundle(identity_pub, spk_pub, sig, frozenset(pre_keys)), 7, pre_keys)
    return ET.tostring(etree.serialize_bundle(b), encoding="unicode"), b


def payload(text):
    key, iv = secrets.token_bytes(16), secrets.token_bytes(12)
    enc = Cipher(algorithms.AES(key), modes.GCM(iv), backend=default_backend()).encryptor()
    ct = enc.update(text.encode()) + enc.finalize()
    return {"key_and_tag": base64.b64encode(key + enc.tag).decode(), "iv": base64.b64encode(iv).decode(),
            "payload": base64.b64encode(ct).decode(), "plaintext": text}


xml, b = bundle()
out = {
    "bundle": xml,
    "identity_key_curve25519": base64.b64encode(b"\x05" + xeddsa.ed25519_pub_to_curve25519_pub(b.bundle.identity_key)).decode(),
    "signed_pre_key_id": b.signed_pre_key_id,
    "pre_key_ids": sorted(b.pre_key_ids.values()),
    "payload": payload("Bonjour Juliette, ça va ? 🌹"),
}
with open("vectors.json", "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
