#!/usr/bin/python3
# An independent XMPP peer for causerie's interop tests, built on Debian's
# python3-slixmpp (1.8.3). Run with /usr/bin/python3 (other Pythons may lack
# slixmpp). Driven by the Go package internal/slixpeer:
#
#   argv[1]  a JSON object: jid, password, host, port, cafile, name,
#            version, os, resource, manual (do not auto-approve
#            subscription requests), subscribe_back, carbons (turn on
#            XEP-0280 copies at session start), omemo (OMEMO 0.3 with
#            python-omemo: omemopeer.py), debug
#   stdin    one JSON command per line, e.g.
#              {"cmd":"send","ref":"3","to":"a@example.test","body":"hi","html":"<p>hi</p>"}
#   stdout   one JSON event per line, e.g.
#              {"event":"message","from":"a@example.test/x","body":"hi","html":"","chatstate":"active",...}
#
# Nothing else is written to stdout; slixmpp's logging goes to stderr.
import asyncio
import hashlib
import json
import logging
import platform
import ssl
import sys
import threading
from pathlib import Path

import xml.etree.ElementTree as ET

import slixmpp
from slixmpp.xmlstream import tostring
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

CFG = json.loads(sys.argv[1])

NS_CLIENT = "jabber:client"
NS_XHTML_IM = "http://jabber.org/protocol/xhtml-im"
NS_CHATSTATES = "http://jabber.org/protocol/chatstates"
NS_SID = "urn:xmpp:sid:0"
NS_CAPS = "http://jabber.org/protocol/caps"
NS_CARBONS = "urn:xmpp:carbons:2"
NS_FORWARD = "urn:xmpp:forward:0"
CHATSTATES = ("active", "composing", "paused", "inactive", "gone")


def emit(**ev):
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def message_fields(xml):
    """The fields of a message element that need no slixmpp stanza."""
    html = xml.find("{%s}html" % NS_XHTML_IM)
    state = ""
    for s in CHATSTATES:
        if xml.find("{%s}%s" % (NS_CHATSTATES, s)) is not None:
            state = s
            break
    origin = xml.find("{%s}origin-id" % NS_SID)
    replace = xml.find("{urn:xmpp:message-correct:0}replace")
    body = xml.find("{%s}body" % NS_CLIENT)
    receipt = xml.find("{urn:xmpp:receipts}received")
    oob = xml.find("{jabber:x:oob}x")
    reply = xml.find("{urn:xmpp:reply:0}reply")
    reacts = xml.find("{urn:xmpp:reactions:0}reactions")
    retract1 = xml.find("{urn:xmpp:message-retract:1}retract")
    apply_to = xml.find("{urn:xmpp:fasten:0}apply-to")
    retracts = retract1.get("id", "") if retract1 is not None else ""
    if not retracts and apply_to is not None and apply_to.find("{urn:xmpp:message-retract:0}retract") is not None:
        retracts = apply_to.get("id", "")
    fallback_end = -1
    for ns in ("urn:xmpp:fallback:0", "urn:xmpp:feature-fallback:0"):
        fb = xml.find("{%s}fallback" % ns)
        if fb is not None and fb.get("for") == "urn:xmpp:reply:0":
            fbody = fb.find("{%s}body" % ns)
            if fbody is not None and fbody.get("end", "").isdigit():
                fallback_end = int(fbody.get("end"))
    return {
        "from": xml.get("from", ""), "to": xml.get("to", ""), "type": xml.get("type", ""),
        "id": xml.get("id", ""), "body": body.text or "" if body is not None else "",
        "html": tostring(html) if html is not None else "",
        "chatstate": state,
        "receipt_request": xml.find("{urn:xmpp:receipts}request") is not None,
        "receipt": receipt.get("id", "") if receipt is not None else "",
        "correction_of": replace.get("id", "") if replace is not None else "",
        "origin_id": origin.get("id", "") if origin is not None else "",
        "oob": (oob.findtext("{jabber:x:oob}url") or "").strip() if oob is not None else "",
        "reply_id": reply.get("id", "") if reply is not None else "",
        "reply_to": reply.get("to", "") if reply is not None else "",
        # Where the reply's fallback ends in the body, in code points
        # (XEP-0426), -1 without one.
        "fallback_end": fallback_end,
        "retracts": retracts,
        "reactions_to": reacts.get("id", "") if reacts is not None else "",
        "reactions": [r.text or "" for r in reacts.findall("{urn:xmpp:reactions:0}reaction")] if reacts is not None else [],
    }


def identities_of(info):
    # slixmpp's identities are (category, type, lang, name) tuples.
    return [{"category": i[0] or "", "type": i[1] or "", "lang": i[2] or "", "name": i[3] or ""}
            for i in info["identities"]]


class Peer(slixmpp.ClientXMPP):
    def __init__(self):
        jid = CFG["jid"]
        if CFG.get("resource"):
            jid += "/" + CFG["resource"]
        super().__init__(jid, CFG["password"])
        self.register_plugin("xep_0030")  # service discovery
        self.register_plugin("xep_0071")  # XHTML-IM
        self.register_plugin("xep_0085")  # chat states
        self.register_plugin("xep_0184", pconfig={"auto_ack": True, "auto_request": False})  # receipts
        self.register_plugin("xep_0308")  # last message correction
        self.register_plugin("xep_0461")  # message replies
        self.register_plugin("xep_0444")  # message reactions
        self.register_plugin("xep_0424")  # message retraction (its version 0.3)
        self.register_plugin("xep_0092", pconfig={  # software version
            "software_name": CFG.get("name") or "slixbot",
            "version": CFG.get("version") or "1.0",
            "os": CFG.get("os") or platform.system(),
        })
        self.register_plugin("xep_0115")  # entity capabilities
        self.register_plugin("xep_0199")  # ping
        self.register_plugin("xep_0066")  # out of band data (a file's URL)
        self.register_plugin("xep_0363")  # HTTP file upload (over aiohttp, SSL_CERT_FILE trusted)
        if CFG.get("carbons"):
            self.register_plugin("xep_0280")  # message carbons
        if CFG.get("omemo"):
            import omemopeer
            self.omemo_peer = omemopeer
            self.register_plugin("xep_0004")  # data forms (publish-options)
            self.register_plugin("xep_0060")  # publish-subscribe (PEP)
            # Contacts' device lists come as PEP notifications.
            self["xep_0030"].add_feature(omemopeer.NODE_DEVICES + "+notify")
        # Verify the server's self-signed certificate.
        self.ssl_context = ssl.create_default_context(cafile=CFG["cafile"])
        self.auto_authorize = None if CFG.get("manual") else True
        self.auto_subscribe = bool(CFG.get("subscribe_back"))

        # slixmpp's "message" event only fires for messages with a <body/>:
        # watch every message stanza to see chat states and receipts too.
        self.register_handler(Callback("slixpeer message", MatchXPath("{%s}message" % NS_CLIENT), self.on_message))
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("presence", self.on_presence)
        self.add_event_handler("failed_auth", lambda _: self.fatal("authentication failed"))
        self.add_event_handler("connection_failed", lambda e: emit(event="connection_failed", error=str(e)))
        self.add_event_handler("disconnected", self.on_disconnected)

    def fatal(self, text):
        emit(event="error", error=text)
        self.disconnect()

    def on_disconnected(self, reason):
        # The script ends with the first disconnection (see the end).
        emit(event="disconnected", error=str(reason or ""))

    async def on_session_start(self, _):
        await self.get_roster()
        # xep_0115 puts <c/> in presence only once the verification string
        # of our own disco#info has been computed: update_caps does that.
        await self["xep_0115"].update_caps(broadcast=False)
        self.send_presence()
        if CFG.get("carbons"):
            await self["xep_0280"].enable()
        if CFG.get("omemo"):
            await self.omemo_peer.start(self, emit)
        info = await self["xep_0030"].get_info(jid=self.boundjid.full, local=True)
        if isinstance(info, slixmpp.Iq):
            info = info["disco_info"]
        emit(event="session_start", jid=self.boundjid.full,
             features=sorted(info["features"]), identities=identities_of(info),
             caps_node=self["xep_0115"].caps_node,
             caps_ver=await self["xep_0115"].get_verstring(self.boundjid.full) or "",
             name=self["xep_0092"].software_name, version=self["xep_0092"].version,
             os=self["xep_0092"].os)

    def on_message(self, msg):
        xml = msg.xml
        for direction in ("received", "sent"):
            # A carbon copy (XEP-0280): reported with the copied
            # message's fields, and from, the wrapper's sender.
            inner = xml.find("{%s}%s/{%s}forwarded/{%s}message" % (NS_CARBONS, direction, NS_FORWARD, NS_CLIENT))
            if inner is not None:
                emit(event="carbon", direction=direction, wrapper_from=msg["from"].full,
                     **message_fields(inner))
                return
        if CFG.get("omemo"):
            if self.omemo_peer.device_list_event(self, msg):
                return
            if xml.find("{%s}encrypted" % self.omemo_peer.NS) is not None:
                asyncio.ensure_future(self.omemo_peer.receive(self, msg, emit))
        fields = message_fields(xml)
        fields.update({"from": msg["from"].full, "to": msg["to"].full, "id": msg["id"], "body": msg["body"]})
        # The <html/> element as slixmpp serialises it, and its first
        # body's content as slixmpp's XHTML-IM API returns it.
        html = xml.find("{%s}html" % NS_XHTML_IM)
        fields["html_body"] = msg["html"]["body"] if html is not None else ""
        fields["receipt_request"] = msg["request_receipt"]
        fields["receipt"] = msg["receipt"]
        fields["error"] = msg["error"]["condition"] if msg["type"] == "error" else ""
        emit(event="message", **fields)

    def on_presence(self, pres):
        caps = pres.xml.find("{%s}c" % NS_CAPS)
        emit(event="presence", **{
            # type is the attribute: "" for available (slixmpp's
            # pres["type"] would say the show instead).
            "from": pres["from"].full, "type": pres.xml.get("type", ""), "show": pres["show"],
            "status": pres["status"], "priority": pres["priority"],
            "caps_node": caps.get("node", "") if caps is not None else "",
            "caps_hash": caps.get("hash", "") if caps is not None else "",
            "caps_ver": caps.get("ver", "") if caps is not None else "",
        })
        if pres.xml.get("type") == "subscribe":
            emit(event="subscribe", **{"from": pres["from"].bare, "status": pres["status"]})

    # Commands.

    def command(self, line):
        line = line.strip()
        if not line:
            return
        try:
            cmd = json.loads(line)
        except ValueError as e:
            emit(event="error", error="bad command %r: %s" % (line, e))
            return
        asyncio.ensure_future(self.run(cmd))

    async def run(self, cmd):
        ref = cmd.get("ref", "")
        try:
            res = await self.do(cmd) or {}
            emit(event="done", ref=ref, cmd=cmd.get("cmd", ""), **res)
        except slixmpp.exceptions.IqError as e:
            emit(event="done", ref=ref, cmd=cmd.get("cmd", ""),
                 error=e.iq["error"]["condition"] or "iq error")
        except Exception as e:  # reported, never fatal
            emit(event="done", ref=ref, cmd=cmd.get("cmd", ""), error="%s: %s" % (type(e).__name__, e))

    async def do(self, cmd):
        c = cmd.get("cmd")
        to = cmd.get("to", "")
        if c == "send":
            m = self.make_message(mto=to, mbody=cmd.get("body") or None, mtype=cmd.get("type") or "chat",
                                  mhtml=cmd.get("html") or None)
            if cmd.get("id"):
                m["id"] = cmd["id"]
            elif not m["id"]:
                m["id"] = self.new_id()
            if cmd.get("chatstate"):
                m["chat_state"] = cmd["chatstate"]
            if cmd.get("receipt"):
                m["request_receipt"] = True
            if cmd.get("replace"):
                m["replace"]["id"] = cmd["replace"]
            if cmd.get("reply_id"):
                # As slixmpp 1.8 makes a reply (XEP-0461), with a quotation
                # in its fallback namespace of the time.
                m["reply"]["id"] = cmd["reply_id"]
                m["reply"]["to"] = cmd.get("reply_to", "")
                if cmd.get("quote"):
                    fb = "> " + cmd["quote"] + "\n"
                    m["body"] = fb + m["body"]
                    m["feature_fallback"]["for"] = "urn:xmpp:reply:0"
                    m["feature_fallback"]["fallback_body"]["start"] = "0"
                    m["feature_fallback"]["fallback_body"]["end"] = str(len(fb))
            if cmd.get("private"):
                # XEP-0280 §7: not copied to the other devices.
                m.append(ET.Element("{%s}private" % NS_CARBONS))
                m.append(ET.Element("{urn:xmpp:hints}no-copy"))
            m.send()
            return {"id": m["id"]}
        if c == "retract":
            # slixmpp's own XEP-0424 (the form of its version 0.3).
            self["xep_0424"].send_retraction(to, cmd["reply_id"], mtype=cmd.get("type") or "chat")
            return {}
        if c == "react":
            # slixmpp's own XEP-0444 (its checks of emoji included).
            self["xep_0444"].send_reactions(to, cmd["reply_id"], cmd.get("reactions") or [])
            return {}
        if c == "chatstate":
            m = self.make_message(mto=to, mtype="chat")
            m["chat_state"] = cmd["chatstate"]
            m.send()
            return {}
        if c == "subscribe":
            self.send_presence_subscription(pto=to, ptype="subscribe")
            return {}
        if c == "approve":
            self.send_presence(pto=to, ptype="subscribed")
            return {}
        if c == "deny":
            self.send_presence(pto=to, ptype="unsubscribed")
            return {}
        if c == "presence":
            self.send_presence(pshow=cmd.get("show") or None, pstatus=cmd.get("status") or None)
            return {}
        if c == "raw":
            self.send_raw(cmd["xml"])
            return {}
        if c == "version":
            iq = await self["xep_0092"].get_version(to, timeout=10)
            v = iq["software_version"]
            return {"name": v["name"], "version": v["version"], "os": v["os"]}
        if c == "disco":
            iq = await self["xep_0030"].get_info(jid=to, node=cmd.get("node") or None, cached=False, timeout=10)
            info = iq["disco_info"]
            return {"features": sorted(info["features"]), "identities": identities_of(info)}
        if c == "caps":
            # What slixmpp learnt from to's presence <c/>: only set once it
            # fetched node#ver and the hash checked out.
            ver = await self["xep_0115"].get_verstring(to)
            info = await self["xep_0115"].get_caps(jid=to) if ver else None
            if info is None:
                return {"error": "no verified caps"}
            return {"caps_ver": ver, "features": sorted(info["features"]), "identities": identities_of(info)}
        if c == "upload":
            # The file at cmd["file"] uploaded, then sent to to as a file:
            # its URL as the body and in jabber:x:oob.
            up = self["xep_0363"]
            if up.upload_service is None:
                # slixmpp 1.8's own discovery gives asyncio.wait bare
                # coroutines, which Python 3.11 refuses: found here.
                items = await self["xep_0030"].get_items(jid=self.boundjid.domain, timeout=10)
                for item in items["disco_items"]["items"]:
                    info = await self["xep_0030"].get_info(jid=item[0], timeout=10)
                    if "urn:xmpp:http:upload:0" in info["disco_info"]["features"]:
                        up.upload_service = slixmpp.JID(item[0])
                        up.max_file_size = float("+inf")
                        break
            url = await up.upload_file(Path(cmd["file"]), timeout=30)
            m = self.make_message(mto=to, mbody=url, mtype="chat")
            m["oob"]["url"] = url
            m.send()
            return {"body": url}
        if c == "download":
            # The file at URL cmd["body"]: its SHA-256, in hex, as body.
            import aiohttp
            h = hashlib.sha256()
            async with aiohttp.ClientSession() as session:
                async with session.get(cmd["body"]) as res:
                    if res.status != 200:
                        raise ValueError("GET %s: %d" % (cmd["body"], res.status))
                    async for chunk in res.content.iter_chunked(65536):
                        h.update(chunk)
            return {"body": h.hexdigest()}
        if c == "omemo_send":
            return await self.omemo_peer.send(self, to, cmd.get("body", ""))
        if c == "omemo_devices":
            return {"devices": await self.omemo_peer.devices(self, to)}
        if c == "quit":
            self.disconnect()
            return {}
        raise ValueError("unknown command %r" % c)


def read_commands(peer, loop):
    for line in sys.stdin:
        loop.call_soon_threadsafe(peer.command, line)
    loop.call_soon_threadsafe(peer.command, '{"cmd":"quit"}')


logging.basicConfig(level=logging.DEBUG if CFG.get("debug") else logging.WARNING, stream=sys.stderr,
                    format="slixpeer %(levelname)s %(name)s: %(message)s")
peer = Peer()
threading.Thread(target=read_commands, args=(peer, peer.loop), daemon=True).start()
peer.connect(address=(CFG["host"], int(CFG["port"])))  # STARTTLS, verified with cafile
peer.loop.run_until_complete(peer.disconnected)  # what process(forever=False) does, undeprecated
emit(event="exit")
