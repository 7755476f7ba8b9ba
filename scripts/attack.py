#!/usr/bin/env python3
"""Memory attacks on a running Hark server, as one client would make them; prints what the server held.

Each attack runs against http://127.0.0.1:PORT and reads the server's own figures from /metrics
(jvm_buffer_memory_used_bytes{id="direct"}, connections_closed_total) and its RSS from /proc, before and
at the peak. Attacks (all on loopback, bounded in bytes and seconds):
  pings     128 MB of WebSocket pings on a connection that never reads
  escapes   600 POSTs to /%zz with an 8 KB body, one connection each
  pipeline  132 KB of pipelined GET /app.js, never read
  scrapes   68 KB of pipelined GET /metrics, never read
Usage: scripts/attack.py PORT ATTACK
"""
import base64
import os
import re
import socket
import sys
import threading
import time
import urllib.request


def metrics(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    direct = float(re.search(r'jvm_buffer_memory_used_bytes\{id="direct"\} (\S+)', text).group(1))
    closed = {m.group(1): float(m.group(2))
              for m in re.finditer(r'connections_closed_total\{reason="([^"]+)"\} (\S+)', text)}
    closed.update({"rejected " + m.group(1): float(m.group(2))
                   for m in re.finditer(r'http_requests_rejected_total\{reason="([^"]+)"\} (\S+)', text)})
    pid = int(float(re.search(r'^process_pid (\S+)', text, re.M).group(1)))
    return direct, closed, pid


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1)) * 1024


def connect(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a tiny window: the client never reads
    s.connect(("127.0.0.1", port))
    return s


def upgraded(port):
    s = connect(port)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    return s


def send_for(s, data, total, seconds):
    """Sends data repeatedly until total bytes, the server cuts the connection, or seconds pass."""
    sent = 0
    s.settimeout(seconds)
    end = time.time() + seconds
    try:
        while sent < total and time.time() < end:
            sent += s.send(data)
    except OSError:
        pass
    return sent


def attack(port, name):
    socks = []
    if name == "pings":
        s = upgraded(port)
        socks.append(s)
        ping = bytes([0x89, 0x80 | 125]) + b"\0\0\0\0" + b"p" * 125
        return send_for(s, ping * 500, 128 << 20, 10), socks
    if name == "escapes":
        body = b"x" * 8000
        for i in range(600):
            s = connect(port)
            path = "/%zz" if i % 2 == 0 else "/%"
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            socks.append(s)
        return 600 * (len(body) + 60), socks
    path = {"pipeline": "/app.js", "scrapes": "/metrics"}[name]
    kb = {"pipeline": 132, "scrapes": 68}[name]
    s = connect(port)
    socks.append(s)
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    return send_for(s, req * (kb * 1024 // len(req)), kb * 1024, 10), socks


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    direct0, closed0, pid = metrics(port)
    rss0 = rss(pid)
    peak = {"direct": direct0, "rss": rss0}
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                d, _, _ = metrics(port)
                peak["direct"] = max(peak["direct"], d)
                peak["rss"] = max(peak["rss"], rss(pid))
            except OSError:
                pass
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.time()
    sent, socks = attack(port, name)
    time.sleep(3)  # the server acts on what it read
    stop.set()
    sampler.join()
    _, closed1, _ = metrics(port)
    cut = {k: v - closed0.get(k, 0) for k, v in closed1.items() if v - closed0.get(k, 0) > 0}
    for s in socks:
        s.close()
    print(f"{name}: sent {sent / 1e6:.1f} MB in {time.time() - t0:.1f} s; direct +{(peak['direct'] - direct0) / 1e6:.1f} MB"
          f" at peak, RSS +{(peak['rss'] - rss0) / 1e6:.1f} MB at peak; connections cut off by the server: {cut or 'none'}")


if __name__ == "__main__":
    main()
