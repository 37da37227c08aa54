# OMEMO 0.3 for slixpeer.py (Options.OMEMO): Syndace's python-omemo with
# its oldmemo backend (Debian's python3-omemo, python3-oldmemo and
# python3-xmlschema), an implementation independent of Causerie's,
# carried over slixmpp's PEP (xep_0060). The keys live in memory for the
# peer's life. Trust: every device is trusted (blind trust).
import base64
import json
import xml.etree.ElementTree as ET

import omemo
import oldmemo
import oldmemo.etree
from omemo.storage import Just, Maybe, Nothing, Storage
from omemo.types import DeviceInformation, TrustLevel

NS = oldmemo.oldmemo.NAMESPACE
NODE_DEVICES = NS + ".devicelist"
PUBLISH_OPEN = {"pubsub#access_model": "open"}

XMPP = None  # the Peer, for the session manager's static methods


class MemoryStorage(Storage):
    def __init__(self):
        super().__init__()
        self.data = {}

    async def _load(self, key):
        return Just(self.data[key]) if key in self.data else Nothing()

    async def _store(self, key, value):
        self.data[key] = value

    async def _delete(self, key):
        self.data.pop(key, None)


def publish_options(form):
    f = form.make_form(ftype="submit")
    f.add_field(var="FORM_TYPE", ftype="hidden", value="http://jabber.org/protocol/pubsub#publish-options")
    for var, value in PUBLISH_OPEN.items():
        f.add_field(var=var, value=value)
    return f


class SessionManager(omemo.SessionManager):
    @staticmethod
    async def _upload_bundle(bundle):
        elt = oldmemo.etree.serialize_bundle(bundle)
        await XMPP["xep_0060"].publish(XMPP.boundjid.bare, "%s.bundles:%d" % (NS, bundle.device_id),
                                       id="current", payload=elt,
                                       options=publish_options(XMPP["xep_0004"]))

    @staticmethod
    async def _download_bundle(namespace, bare_jid, device_id):
        try:
            iq = await XMPP["xep_0060"].get_items(bare_jid, "%s.bundles:%d" % (NS, device_id), max_items=1)
        except Exception as e:
            raise omemo.BundleDownloadFailed() from e
        items = iq["pubsub"]["items"]
        for item in items:
            elt = item.xml.find("{%s}bundle" % NS)
            if elt is not None:
                return oldmemo.etree.parse_bundle(elt, bare_jid, device_id)
        raise omemo.BundleNotFound()

    @staticmethod
    async def _delete_bundle(namespace, device_id):
        pass

    @staticmethod
    async def _upload_device_list(namespace, device_list):
        elt = oldmemo.etree.serialize_device_list(device_list)
        await XMPP["xep_0060"].publish(XMPP.boundjid.bare, NODE_DEVICES, id="current", payload=elt,
                                       options=publish_options(XMPP["xep_0004"]))

    @staticmethod
    async def _download_device_list(namespace, bare_jid):
        try:
            iq = await XMPP["xep_0060"].get_items(bare_jid, NODE_DEVICES, max_items=1)
        except Exception:
            return {}
        for item in iq["pubsub"]["items"]:
            elt = item.xml.find("{%s}list" % NS)
            if elt is not None:
                return oldmemo.etree.parse_device_list(elt)
        return {}

    async def _evaluate_custom_trust_level(self, device):
        return TrustLevel.TRUSTED

    async def _make_trust_decision(self, undecided, identifier):
        for device in undecided:
            await self.set_trust(device.bare_jid, device.identity_key, "blind")

    @staticmethod
    async def _send_message(message, bare_jid):
        m = XMPP.make_message(mto=bare_jid, mtype="chat")
        m.append(oldmemo.etree.serialize_message(message))
        m.append(ET.Element("{urn:xmpp:hints}store"))
        m.send()


async def start(peer, emit):
    """Sets OMEMO up for peer once its session started: keys made, bundle
    and device list published; emits omemo_ready with our device id."""
    global XMPP
    XMPP = peer
    peer.omemo = await SessionManager.create([oldmemo.Oldmemo(MemoryStorage())], MemoryStorage(),
                                             peer.boundjid.bare, None, "blind")
    # No archive to catch up with: out of the history synchronisation
    # mode (where prekeys are kept and answers to prekey messages wait).
    await peer.omemo.after_history_sync()
    info = await peer.omemo.get_own_device_information()
    emit(event="omemo_ready", device=info[0].device_id, identity_key=base64.b64encode(info[0].identity_key).decode())


def device_list_event(peer, msg):
    """A PEP notification of someone's device list: told to the session
    manager."""
    items = msg.xml.find("{http://jabber.org/protocol/pubsub#event}event/"
                         "{http://jabber.org/protocol/pubsub#event}items[@node='%s']" % NODE_DEVICES)
    if items is None:
        return False
    if getattr(peer, "omemo", None) is None:
        return True  # still setting up: create() reads the lists itself
    for item in items:
        elt = item.find("{%s}list" % NS)
        if elt is not None:
            import asyncio
            asyncio.ensure_future(peer.omemo.update_device_list(
                NS, msg["from"].bare, oldmemo.etree.parse_device_list(elt)))
    return True


async def receive(peer, msg, emit):
    """Decrypts an OMEMO message and emits omemo_message: body (empty for
    a key transport), the sender's device, or error."""
    elt = msg.xml.find("{%s}encrypted" % NS)
    sender = msg["from"].bare
    try:
        message = await oldmemo.etree.parse_message(elt, sender, peer.boundjid.bare, peer.omemo)
        plaintext, device, _ = await peer.omemo.decrypt(message)
        emit(event="omemo_message", **{"from": msg["from"].full, "body": (plaintext or b"").decode(),
                                       "device": device.device_id, "id": msg["id"]})
    except Exception as e:
        emit(event="omemo_message", **{"from": msg["from"].full, "error": "%s: %s" % (type(e).__name__, e),
                                       "id": msg["id"]})


async def send(peer, to, body):
    """Encrypts body for every device of to (and our others) and sends
    it, with a store hint and a fallback body."""
    # Without a presence subscription no PEP notification tells us of
    # to's devices: their list is read first.
    await peer.omemo.refresh_device_list(NS, to)
    messages, errors = await peer.omemo.encrypt(frozenset([to]), {NS: body.encode()}, backend_priority_order=[NS])
    if errors:
        raise ValueError("encryption errors: %s" % ", ".join(type(e).__name__ for e in errors))
    m = peer.make_message(mto=to, mtype="chat", mbody="I sent you an OMEMO encrypted message.")
    m["id"] = peer.new_id()
    for message in messages:
        m.append(oldmemo.etree.serialize_message(message))
    m.append(ET.Element("{urn:xmpp:hints}store"))
    m.send()
    return {"id": m["id"]}


async def devices(peer, jid):
    """The device ids python-omemo knows of jid."""
    await peer.omemo.refresh_device_list(NS, jid)
    return sorted(d.device_id for d in await peer.omemo.get_device_information(jid))
