#!/usr/bin/env python3
"""Redis CPU per published message, standalone PUBLISH vs cluster SPUBLISH (docs/scaling.md).

One subscriber connection per node subscribes to CHANNELS channels (as one Gripway replica does), a publisher
pipelines N messages of SIZE bytes round-robin over them, the subscriber counts every delivery, and the Redis
processes' CPU (INFO cpu, summed over the nodes) is divided by N. Talks only to the ports it is given.

  redis_pubsub_cost.py standalone PORT [N] [SUBSCRIBERS]
  redis_pubsub_cost.py cluster PORT1,PORT2,PORT3 [N] [SUBSCRIBERS]
"""
import binascii
import socket
import sys
import threading
import time

CHANNELS, SIZE, BATCH = 100, 200, 100


def slot(key):
    if "{" in key:
        start = key.index("{")
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return binascii.crc_hqx(key.encode(), 0) % 16384


def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def info_cpu(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(command("INFO", "cpu"))
    data = b""
    while b"used_cpu_user:" not in data or not data.endswith(b"\r\n"):
        data += s.recv(65536)
    s.close()
    fields = dict(l.split(":", 1) for l in data.decode().splitlines() if ":" in l)
    return float(fields["used_cpu_sys"]) + float(fields["used_cpu_user"])


def slot_owner(ports):
    s = socket.create_connection(("127.0.0.1", ports[0]))
    s.sendall(command("CLUSTER", "NODES"))
    time.sleep(0.2)
    text = s.recv(1 << 20).decode()
    s.close()
    owners = {}
    for line in text.split("\n")[1:]:
        f = line.split(" ")
        if len(f) < 9 or "master" not in f[2]:
            continue
        port = int(f[1].split(":")[1].split("@")[0])
        for r in f[8:]:
            a, _, b = r.partition("-")
            for sl in range(int(a), int(b or a) + 1):
                owners[sl] = port
    return owners


class Subscriber(threading.Thread):
    def __init__(self, port, channels, sharded):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.count = 0
        for ch in channels:
            self.sock.sendall(command("SSUBSCRIBE" if sharded else "SUBSCRIBE", ch))
        self.marker = b"smessage" if sharded else b"message"

    def run(self):
        tail = b""
        while True:
            data = self.sock.recv(1 << 20)
            if not data:
                return
            data = tail + data
            # each delivery is a 3-element push whose first element is the message type
            self.count += data.count(b"$%d\r\n%s\r\n" % (len(self.marker), self.marker))
            tail = data[-32:]
            self.count -= tail.count(b"$%d\r\n%s\r\n" % (len(self.marker), self.marker))


def main():
    mode, ports = sys.argv[1], [int(p) for p in sys.argv[2].split(",")]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200000
    subscribers_per_node = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    sharded = mode == "cluster"
    channels = ["gripway:bench-%d" % i for i in range(CHANNELS)]
    owner = slot_owner(ports) if sharded else {}
    node_of = {ch: (owner[slot(ch)] if sharded else ports[0]) for ch in channels}
    subs = []
    for _ in range(subscribers_per_node):
        for port in ports:
            mine = [ch for ch in channels if node_of[ch] == port]
            if mine:
                subs.append(Subscriber(port, mine, sharded))
    for s in subs:
        s.start()
    time.sleep(0.5)
    pubs = {port: socket.create_connection(("127.0.0.1", port)) for port in ports}
    payload = b"x" * SIZE
    cpu0 = sum(info_cpu(p) for p in ports)
    t0 = time.time()
    sent = 0
    while sent < n:
        batches = {p: [] for p in ports}
        for i in range(BATCH):
            ch = channels[(sent + i) % CHANNELS]
            batches[node_of[ch]].append(command("SPUBLISH" if sharded else "PUBLISH", ch, payload))
        for p, cmds in batches.items():
            if cmds:
                pubs[p].sendall(b"".join(cmds))
        for p, cmds in batches.items():
            need, got = len(cmds), b""
            while got.count(b"\r\n") < need:
                got += pubs[p].recv(65536)
        sent += BATCH
    expected = n * subscribers_per_node
    deadline = time.time() + 30
    while sum(s.count for s in subs) < expected and time.time() < deadline:
        time.sleep(0.05)
    elapsed = time.time() - t0
    cpu = sum(info_cpu(p) for p in ports) - cpu0
    delivered = sum(s.count for s in subs)
    print("%s nodes=%d subscribers/node=%d published=%d delivered=%d wall=%.2fs redis_cpu=%.2fs "
          "cpu_per_publish=%.2fus cpu_per_delivery=%.2fus"
          % (mode, len(ports), subscribers_per_node, n, delivered, elapsed, cpu, cpu / n * 1e6,
             cpu / max(delivered, 1) * 1e6))


if __name__ == "__main__":
    main()
