#!/usr/bin/env python3
"""Writes the binary and SDP seeds of tests/fuzz/corpus/ (run from anywhere).

The Request-URI, plan, API and control-line seeds are plain text files kept
as they are; this makes the ones that are easier to state as code: SDP
bodies with CRLF line ends, and RTP, RFC 4733 and RTCP datagrams in the
framing fuzz_rtp reads (a set-up octet, then per datagram a 16-bit length
whose top bit sends it to the RTCP port).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(fuzzer, name, data):
    directory = os.path.join(HERE, "corpus", fuzzer)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data if isinstance(data, bytes) else data.encode())


def sdp(*lines):
    return "".join(line + "\r\n" for line in lines)


SDP = {
    # RFC 3665 3.1's offer, with DTMF as the tests' SIPp scenarios send it.
    "offer-pcmu-pcma-events": sdp(
        "v=0", "o=alice 53655765 2353687637 IN IP4 192.0.2.10", "s=-",
        "c=IN IP4 192.0.2.10", "t=0 0", "m=audio 49170 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20"),
    # draft-sparks-sip-service-examples 2.5 F2: RFC 2543-era, s= and t= after m=.
    "offer-draft-sparks-f2": sdp(
        "v=0", "o=UserA 2890844526 2890844526 IN IP4 client.here.com",
        "c=IN IP4 192.0.2.10", "m=audio 49172 RTP/AVP 0", "a=rtpmap:0 PCMU/8000",
        "s=Session SDP", "t=3034423619 0"),
    # RFC 2543 hold: c=0.0.0.0.
    "hold-c0": sdp(
        "v=0", "o=alice 53655765 2353687638 IN IP4 192.0.2.10", "s=-",
        "c=IN IP4 0.0.0.0", "t=0 0", "m=audio 49170 RTP/AVP 0 101",
        "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16"),
    "hold-sendonly-ipv6": sdp(
        "v=0", "o=- 1 2 IN IP6 2001:db8::10", "s=-", "t=0 0",
        "m=audio 5004 RTP/AVPF 8 0 96", "c=IN IP6 2001:db8::10",
        "a=rtpmap:96 telephone-event/8000", "a=sendonly", "a=ptime:30"),
    # Audio and video and T.38: the others are answered with port 0.
    "offer-audio-video-image": sdp(
        "v=0", "o=bob 2808844564 2808844564 IN IP4 198.51.100.7", "s=call",
        "c=IN IP4 198.51.100.7", "t=0 0", "m=video 51372 RTP/AVP 31 32",
        "a=rtpmap:31 H261/90000", "m=audio 49174 RTP/AVP 18 0",
        "a=rtpmap:18 G729/8000", "a=fmtp:18 annexb=no", "a=inactive",
        "m=image 49176 udptl t38"),
    # An answer to our offer: PCMA and events, with their own numbers.
    "answer-pcma": sdp(
        "v=0", "o=carol 1 1 IN IP4 203.0.113.5", "s=-", "c=IN IP4 203.0.113.5",
        "t=0 0", "m=audio 30000 RTP/AVP 8 100", "a=rtpmap:8 pcma/8000",
        "a=rtpmap:100 telephone-event/8000", "a=fmtp:100 0-15", "a=recvonly"),
}


def rtp(pt, seq, ts, ssrc, payload, marker=False, csrc=0, ext=None, pad=0):
    first = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | csrc
    out = struct.pack("!BBHII", first, (0x80 if marker else 0) | pt, seq, ts, ssrc)
    out += b"\x00\x00\x00\x01" * csrc
    if ext is not None:
        out += struct.pack("!HH", 0xBEDE, len(ext) // 4) + ext
    out += payload
    if pad:
        out += b"\x00" * (pad - 1) + bytes([pad])
    return out


def event(code, end, volume, duration):
    return struct.pack("!BBH", code, (0x80 if end else 0) | volume, duration)


def sender_report(ssrc, ntp, rtp_ts, packets, octets, cname=b"alice@192.0.2.10"):
    sr = struct.pack("!BBHIQIII", 0x80, 200, 6, ssrc, ntp, rtp_ts, packets, octets)
    items = bytes([1, len(cname)]) + cname + b"\x00"
    items += b"\x00" * (-len(items) % 4)
    sdes = struct.pack("!BBHI", 0x81, 202, (8 + len(items)) // 4 - 1, 0x1234) + items
    return sr + sdes


def receiver_report(ssrc, about):
    block = struct.pack("!IIIIII", about, (12 << 24) | 3, 0x10005, 80, 0, 0)
    return struct.pack("!BBHI", 0x81, 201, 7, ssrc) + block


def frame(datagram, rtcp=False):
    return struct.pack("!H", (0x8000 if rtcp else 0) | len(datagram)) + datagram


def stream(setup, *datagrams):
    return bytes([setup]) + b"".join(datagrams)


SSRC = 0x5EED0001
audio = [rtp(0, 1000 + i, 160 * i, SSRC, bytes([0xFF - i]) * 160, marker=(i == 0))
         for i in range(6)]
RTP = {
    # PCMU, telephone-event 101 (96 + 5): 20 ms packets, one reordered and one lost.
    "pcmu-stream": stream(0x0A, frame(audio[0]), frame(audio[2]), frame(audio[1]),
                          frame(audio[4]), frame(audio[5])),
    # A '5' pressed for 100 ms: start with the marker, updates, three ends.
    "dtmf-5": stream(0x0A, frame(audio[0]),
                     frame(rtp(101, 1001, 320, SSRC, event(5, False, 10, 160), marker=True)),
                     frame(rtp(101, 1002, 320, SSRC, event(5, False, 10, 320))),
                     frame(rtp(101, 1003, 320, SSRC, event(5, True, 10, 800))),
                     frame(rtp(101, 1004, 320, SSRC, event(5, True, 10, 800))),
                     frame(rtp(101, 1005, 320, SSRC, event(5, True, 10, 800)))),
    # PCMA with CSRCs, a header extension and padding; a new SSRC halfway.
    "pcma-csrc-ext-pad": stream(0x01, frame(rtp(8, 7, 0, SSRC, b"\xd5" * 160, csrc=2,
                                                 ext=b"\x10\xab\x00\x00", pad=4)),
                                frame(rtp(8, 8, 160, SSRC, b"\xd5" * 80)),
                                frame(rtp(8, 40000, 9999, SSRC + 1, b"\xd5" * 240))),
    # RTCP: their sender report (with SDES), a receiver report, RTCP on the RTP port.
    "rtcp-reports": stream(0x0A, frame(audio[0]),
                           frame(sender_report(SSRC, 0xE1A2B3C4D5E6F708, 160, 1, 160), rtcp=True),
                           frame(receiver_report(SSRC, 0xABCDEF01), rtcp=True),
                           frame(receiver_report(SSRC, 0xABCDEF01))),
}

for name, body in SDP.items():
    write("fuzz_sdp", name, body)
for name, data in RTP.items():
    write("fuzz_rtp", name, data)
