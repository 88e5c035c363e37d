#!/usr/bin/env python3
"""Sends N TCP SYNs with random IPv4 sources (198.18.0.0/15) to DST:PORT
from a raw socket; run inside the toe tap namespace."""
import random, socket, struct, sys
from inet_csum import csum

dst, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(1)
d = socket.inet_aton(dst)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sent = 0
for i in range(n):
    src = struct.pack("!I", (198 << 24 | 18 << 16) + rnd.randrange(1 << 17))
    sport = rnd.randrange(1024, 65536)
    seq = rnd.randrange(1 << 32)
    # MSS 1460 option.
    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + b"\x02\x04\x05\xb4"
    c = csum(src + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0, 64, 6, 0, src, d)
    while True:
        try:
            s.sendto(ip + tcp, (dst, 0))
            break
        except BlockingIOError:
            pass
        except OSError:
            # ENOBUFS: the TAP's queue is full; try again.
            pass
    sent += 1
print("sent", sent, file=sys.stderr)
