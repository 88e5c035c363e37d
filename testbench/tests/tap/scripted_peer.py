#!/usr/bin/env python3
"""A scripted TCP peer on the TAP of `toe tap` (run inside its namespace):
crafts segments from a fake address, reads the stack's answers off the
TAP with an AF_PACKET socket and asserts each exact reply as RFC 9293,
5961 and 7323 give it. Exits non-zero with the reason on a mismatch.

    scripted_peer.py SCENARIO     (see SCENARIOS at the end)
"""
import os, socket, struct, sys, time
from inet_csum import csum

ME_MAC = bytes.fromhex("02707470650a")
ME_IP = "10.77.0.3"
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
NAMES = {FIN: "F", SYN: "S", RST: "R", PSH: "P", ACK: "."}
# The stack's MAC (toe::tap::netns::STACK_MAC) and its address.
STACK_MAC = bytes.fromhex("027074706502")
STACK_IP = os.environ["TOE_ADDR"]
PORT = int(os.environ["TOE_PORT"])


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)



def options(mss=None, ws=None, sackok=False, ts=None):
    o = b""
    if mss is not None:
        o += struct.pack("!BBH", 2, 4, mss)
    if ws is not None:
        o += struct.pack("!BBB", 3, 3, ws) + b"\x01"
    if sackok:
        o += b"\x04\x02\x01\x01"
    if ts is not None:
        o += b"\x01\x01" + struct.pack("!BBII", 8, 10, ts[0], ts[1])
    while len(o) % 4:
        o += b"\x01"
    return o


def parse_options(b):
    out, i = {}, 0
    while i < len(b):
        k = b[i]
        if k == 0:
            break
        if k == 1:
            i += 1
            continue
        check(i + 1 < len(b) and b[i + 1] >= 2, "a malformed TCP option from the stack")
        n = b[i + 1]
        v = b[i + 2 : i + n]
        if k == 2:
            out["mss"] = struct.unpack("!H", v)[0]
        elif k == 3:
            out["ws"] = v[0]
        elif k == 4:
            out["sackok"] = True
        elif k == 8:
            out["ts"] = struct.unpack("!II", v)
        elif k == 5:
            out["sack"] = [struct.unpack("!II", v[j : j + 8]) for j in range(0, len(v), 8)]
        i += n
    return out


class Seg:
    def __init__(self, sport, dport, seq, ack, flags, win, opts, payload, at):
        self.sport, self.dport, self.seq, self.ack = sport, dport, seq, ack
        self.flags, self.win, self.opts, self.payload, self.at = flags, win, opts, payload, at

    def end(self):
        return (self.seq + len(self.payload) + (self.flags & SYN != 0) + (self.flags & FIN != 0)) & 0xFFFFFFFF

    def __str__(self):
        f = "".join(n for b, n in sorted(NAMES.items()) if self.flags & b)
        return "[%s] seq %d ack %d win %d len %d %s" % (
            f, self.seq, self.ack, self.win, len(self.payload), self.opts)


class Wire:
    def __init__(self, dev):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.s.bind((dev, 3))
        self.ipid = 1

    def send(self, sport, dport, seq, ack, flags, win=65535, opts=b"", payload=b""):
        src, dst = socket.inet_aton(ME_IP), socket.inet_aton(STACK_IP)
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                          (5 + len(opts) // 4) << 4, flags, win, 0, 0) + opts + payload
        c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), self.ipid, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        self.ipid += 1
        self.s.send(STACK_MAC + ME_MAC + b"\x08\x00" + ip + tcp)

    def recv(self, port, timeout):
        """The next segment from the stack to (ME_IP, port), or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                f, addr = self.s.recvfrom(65536)
            except socket.timeout:
                return None
            if addr[2] == socket.PACKET_OUTGOING or len(f) < 34 or f[12:14] != b"\x08\x00":
                continue
            ip = f[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 6 or socket.inet_ntoa(ip[16:20]) != ME_IP or socket.inet_ntoa(ip[12:16]) != STACK_IP:
                continue
            total = struct.unpack("!H", ip[2:4])[0]
            check(csum(ip[:ihl]) == 0, "a bad IPv4 header checksum from the stack")
            tcp = ip[ihl:total]
            check(csum(ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp)) + tcp) == 0,
                  "a bad TCP checksum from the stack")
            sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", tcp[:16])
            if dport != port:
                continue
            hl = (off >> 4) * 4
            return Seg(sport, dport, seq, ack, flags, win, parse_options(tcp[20:hl]), tcp[hl:], time.monotonic())


class Conn:
    """One connection of the scripted peer; `nxt` is what it sends next,
    `rcv` what it expects next from the stack."""

    def __init__(self, wire, sport, dport=PORT, ts=True):
        self.w, self.sport, self.dport, self.ts_on = wire, sport, dport, ts
        self.t0 = time.monotonic()
        self.iss = 0x10000000 + sport * 7919
        self.nxt = self.iss
        self.rcv = 0
        self.peer_ts = 0
        self.ws = 0
        self.win = 65535

    def tsval(self):
        return 1000 + int((time.monotonic() - self.t0) * 1000)

    def opts(self, tsval=None):
        if not self.ts_on:
            return b""
        return options(ts=(self.tsval() if tsval is None else tsval, self.peer_ts))

    def send(self, flags, payload=b"", seq=None, ack=None, win=None, tsval=None):
        self.w.send(self.sport, self.dport, self.nxt if seq is None else seq,
                    self.rcv if ack is None else ack, flags,
                    self.win if win is None else win, self.opts(tsval), payload)

    def recv(self, timeout=1.0):
        s = self.w.recv(self.sport, timeout)
        if s is not None and "ts" in s.opts:
            self.peer_ts = s.opts["ts"][0]
        return s

    def expect(self, what, timeout=1.0):
        s = self.recv(timeout)
        check(s is not None, "no answer from the stack to " + what)
        return s

    def expect_silence(self, what, timeout=0.3):
        s = self.recv(timeout)
        check(s is None, "the stack answered %s with %s; it must stay silent" % (what, s))

    def expect_gone(self, what):
        """Data now gets a RST with SEQ=SEG.ACK (RFC 9293 3.10.7.1)."""
        self.send(ACK | PSH, b"late")
        self.expect_exact("data " + what, RST, self.rcv, 0)

    def expect_exact(self, what, flags, seq, ack, payload=b""):
        s = self.expect(what)
        seq, ack = seq & 0xFFFFFFFF, ack & 0xFFFFFFFF
        check(s.flags == flags and s.seq == seq and s.ack == ack and s.payload == payload,
              "the stack answered %s with %s; expected flags %#x seq %d ack %d len %d"
              % (what, s, flags, seq, ack, len(payload)))
        return s

    def open(self):
        """Three-way handshake with MSS, window scale 7, SACK and timestamps."""
        o = options(mss=1460, ws=7, sackok=True, ts=(self.tsval(), 0) if self.ts_on else None)
        self.w.send(self.sport, self.dport, self.nxt, 0, SYN, 65535, o)
        s = self.expect("a SYN")
        check(s.flags == SYN | ACK and s.ack == self.iss + 1, "expected a SYN-ACK for our SYN, got %s" % s)
        check(self.ts_on == ("ts" in s.opts), "timestamps not negotiated as offered: %s" % s)
        self.ws = s.opts.get("ws", 0)
        self.nxt = self.iss + 1
        self.rcv = s.end()
        self.send(ACK)
        return s

    def exchange(self, data):
        """Sends data; returns the echo (ACKing it); the window rides along."""
        self.send(ACK | PSH, data)
        self.nxt += len(data)
        got, last = b"", None
        while len(got) < len(data):
            s = self.expect("data to echo")
            if s.payload and s.seq == self.rcv:
                got += s.payload
                self.rcv = s.end()
                self.send(ACK)
            last = s
        check(got == data, "echoed %r, sent %r" % (got, data))
        return last

    def echo_works(self):
        self.exchange(b"still alive")


def rst_out_of_window(w):
    c = Conn(w, 40001)
    c.open()
    c.send(RST, seq=c.nxt + (1 << 30))
    c.expect_silence("a RST outside the window (RFC 5961 3.2)")
    c.echo_works()


def rst_in_window(w):
    c = Conn(w, 40002)
    c.open()
    c.send(RST, seq=c.nxt + 1)
    c.expect_exact("a RST in the window but not at RCV.NXT (challenge ACK, RFC 5961 3.2)", ACK, c.rcv, c.nxt)
    c.echo_works()
    c.send(RST)
    c.expect_silence("a RST at RCV.NXT (the connection resets)")
    c.expect_gone("on a reset connection")


def syn_on_established(w):
    c = Conn(w, 40003)
    c.open()
    c.w.send(c.sport, c.dport, c.nxt + 1000, 0, SYN, 65535, options(mss=1460, ts=(c.tsval(), 0)))
    c.expect_exact("a SYN on an established connection (challenge ACK, RFC 5961 4.2)", ACK, c.rcv, c.nxt)
    c.echo_works()


def paws(w):
    c = Conn(w, 40004)
    c.open()
    good = c.tsval()
    c.echo_works()
    c.send(ACK | PSH, b"old timestamp", tsval=good - 500)
    s = c.expect_exact("a segment with an old TSval (PAWS drop with an ACK, RFC 7323 5.3)", ACK, c.rcv, c.nxt)
    check(s.opts["ts"][1] >= good, "the PAWS ACK echoes TSecr %d, older than TS.Recent" % s.opts["ts"][1])
    c.expect_silence("the dropped segment (its data must not be delivered)")
    c.echo_works()


def beyond_window(w):
    c = Conn(w, 40005)
    c.open()
    last = c.exchange(b"how wide")
    edge = last.ack + (last.win << c.ws)
    check(last.ack == c.nxt, "the echo did not acknowledge our data: %s" % last)
    c.send(ACK | PSH, b"x" * 100, seq=edge)
    c.expect_exact("data just beyond the advertised window (RFC 9293 3.10.7.4)", ACK, c.rcv, c.nxt)
    c.expect_silence("the out-of-window data (it must not be delivered)")
    c.echo_works()


def probe_to_stack(w):
    c = Conn(w, 40006)
    c.open()
    c.echo_works()
    c.send(ACK, seq=c.nxt - 1)
    c.expect_exact("a zero-window probe at RCV.NXT-1, as Linux sends it", ACK, c.rcv, c.nxt)


def probes_from_stack(w):
    c = Conn(w, 40007)
    c.open()
    c.win = 0
    t = time.monotonic()
    c.send(ACK | PSH, b"hello")
    c.nxt += 5
    times = []
    while len(times) < 3:
        s = c.expect("our data, with our window shut", timeout=5.0)
        check(s.seq == c.rcv and len(s.payload) <= 1,
              "the stack sent %s into a zero window; only 1-byte probes at SND.NXT may go" % s)
        if s.payload:
            check(s.payload == b"h", "the probe carries %r, not the next byte" % s.payload)
            times.append(s.at)
            c.send(ACK)
    first, second = times[1] - times[0], times[2] - times[1]
    check(times[0] - t >= 0.15, "the first probe came %.3f s after the window shut, before the RTO" % (times[0] - t))
    check(second >= 1.5 * first, "probe intervals %.3f s then %.3f s: no backoff" % (first, second))
    c.win = 65535
    c.send(ACK)
    got = b""
    while len(got) < 5:
        s = c.expect("the data once the window opened")
        if s.payload and s.seq == c.rcv:
            got += s.payload
            c.rcv = s.end()
    check(got == b"hello", "after the window opened the stack sent %r" % got)
    c.send(ACK)


def fin_with_data(w):
    c = Conn(w, 40008)
    c.open()
    c.send(ACK | PSH | FIN, b"bye")
    fin_end = c.nxt + 4
    c.nxt = fin_end
    got, acked, fin = b"", 0, False
    while not fin:
        s = c.expect("data with a FIN (the echo, then the stack's FIN)")
        acked = max(acked, s.ack - c.iss)
        if s.seq == c.rcv:
            got += s.payload
            fin = s.flags & FIN != 0
            c.rcv = s.end()
    check(acked == fin_end - c.iss, "the stack acknowledged up to %d, not our data and FIN" % (acked + c.iss))
    check(got == b"bye", "echoed %r" % got)
    c.send(ACK)
    c.expect_silence("the last ACK (LAST-ACK to CLOSED)")
    c.expect_gone("on the closed connection")


def simultaneous_close(w):
    c = Conn(w, 40009)
    c.open()
    get = b"GET /small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    c.send(ACK | PSH, get)
    c.nxt += len(get)
    got = b""
    while True:
        s = c.expect("the response and the server's FIN")
        if s.seq == c.rcv and (s.payload or s.flags & FIN):
            got += s.payload
            if s.flags & FIN:
                fin_seq = s.seq + len(s.payload)
                break
            c.rcv = s.end()
    check(got.startswith(b"HTTP/1.1 200"), "the response was %r" % got[:40])
    # Our FIN crosses theirs: it acknowledges the data, not their FIN.
    c.rcv = fin_seq
    c.send(ACK | FIN)
    c.nxt += 1
    c.expect_exact("a FIN that crossed ours (FIN-WAIT-1 to CLOSING, RFC 9293 figure 13)", ACK, fin_seq + 1, c.nxt)
    c.rcv = fin_seq + 1
    c.send(ACK)
    c.expect_silence("the ACK of its FIN (CLOSING to TIME-WAIT)")
    c.send(ACK | FIN, seq=c.nxt - 1)
    c.expect_exact("our FIN again in TIME-WAIT (it is acknowledged again)", ACK, fin_seq + 1, c.nxt)


def retransmitted_syn_ack(w):
    c = Conn(w, int(os.environ["TOE_PORT"]), dport=0)
    syn = None
    while syn is None:
        s = w.recv(c.sport, 5.0)
        check(s is not None, "the stack never sent its SYN")
        if s.flags & (SYN | ACK) == SYN:
            syn = s
    c.dport = syn.sport
    c.peer_ts = syn.opts["ts"][0]
    c.rcv = syn.end()
    synack = lambda: c.w.send(c.sport, c.dport, c.iss, c.rcv, SYN | ACK, 65535,
                              options(mss=1460, ws=7, sackok=True, ts=(c.tsval(), c.peer_ts)))
    synack()
    c.nxt = c.iss + 1
    s = c.expect("our SYN-ACK")
    check(s.flags & (SYN | RST) == 0 and s.flags & ACK and s.seq == syn.seq + 1 and s.ack == c.nxt,
          "expected the ACK of our SYN-ACK, got %s" % s)
    # Take in what the client sends (its file, maybe its FIN) without ACKing.
    got, snd_nxt = s.payload, s.end()
    while True:
        s = c.recv(0.1)
        if s is None:
            break
        got += s.payload if s.seq == snd_nxt else b""
        snd_nxt = max(snd_nxt, s.end())
    synack()
    c.expect_exact("a retransmitted SYN-ACK (our ACK was lost): the same ACK again", ACK, snd_nxt, c.nxt)
    # Finish: acknowledge everything, echo it, close.
    c.rcv = snd_nxt
    c.send(ACK | PSH | FIN, got)
    c.nxt += len(got) + 1
    while True:
        s = c.expect("the client's ACK of our data and FIN")
        if s.ack == c.nxt:
            break
        if s.flags & FIN:
            c.rcv = s.end()
            c.send(ACK)


SCENARIOS = {f.__name__: f for f in [
    rst_out_of_window, rst_in_window, syn_on_established, paws, beyond_window,
    probe_to_stack, probes_from_stack, fin_with_data, simultaneous_close,
    retransmitted_syn_ack]}

if __name__ == "__main__":
    name = sys.argv[1]
    try:
        SCENARIOS[name](Wire(os.environ["TOE_DEV"]))
    except Fail as e:
        print("scripted peer, %s: %s" % (name, e), file=sys.stderr)
        sys.exit(1)
    print("scripted peer, %s: every reply as expected" % name, file=sys.stderr)
