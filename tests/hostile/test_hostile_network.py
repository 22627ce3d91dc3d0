"""Attacks on the network: connections to listeners the test opens on this machine (TCP and UDP
on loopback, UNIX sockets by path and in the abstract namespace), the outside world, and the same
through io_uring, whose operations do not pass through a seccomp filter."""

from __future__ import annotations

import secrets
import select
import socket

import pytest

from ._harness import LIMITS, SLUG, assert_contained, assert_still_grades, attack, describe


class Listeners:
    """Sockets of the test's; `arrivals()` says which of them got a connection or a datagram."""

    def __init__(self, folder):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = str(folder / "judge.sock")
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.unix_path)
        self.unix.listen(8)
        self.abstract_name = "mlkatas-hostile-" + secrets.token_hex(6)
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind("\0" + self.abstract_name)
        self.abstract.listen(8)
        try:
            self.tcp6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            self.tcp6.bind(("::1", 0))
            self.tcp6.listen(8)
        except OSError:
            self.tcp6 = None
        self.all = {"tcp": self.tcp, "udp": self.udp, "unix path": self.unix, "unix abstract": self.abstract}
        if self.tcp6 is not None:
            self.all["tcp6"] = self.tcp6

    @property
    def addresses(self) -> dict:
        return {
            "tcp": self.tcp.getsockname()[1],
            "tcp6": self.tcp6.getsockname()[1] if self.tcp6 is not None else None,
            "udp": self.udp.getsockname()[1],
            "unix": self.unix_path,
            "abstract": self.abstract_name,
        }

    def arrivals(self) -> list[str]:
        got = []
        for name, sock in self.all.items():
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                if sock.type == socket.SOCK_DGRAM:
                    got.append(f"{name}: {sock.recv(200)!r}")
                else:
                    conn, _ = sock.accept()
                    conn.settimeout(0.2)
                    try:
                        data = conn.recv(200)
                    except OSError:
                        data = b""
                    got.append(f"{name}: a connection ({data!r})")
                    conn.close()
        return got

    def close(self) -> None:
        for sock in self.all.values():
            sock.close()


@pytest.fixture
def listeners(outside):
    ls = Listeners(outside)
    yield ls
    ls.close()


CONNECT = '''
import socket
A = @ADDR@
tries = [
    ("tcp 127.0.0.1", lambda: socket.create_connection(("127.0.0.1", A["tcp"]), timeout=1)),
    ("tcp localhost", lambda: socket.create_connection(("localhost", A["tcp"]), timeout=1)),
    ("unix path", lambda: _unix(A["unix"])),
    ("unix abstract", lambda: _unix("\\0" + A["abstract"])),
]
if A["tcp6"]:
    tries.append(("tcp ::1", lambda: socket.create_connection(("::1", A["tcp6"]), timeout=1)))


def _unix(address):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1)
    s.connect(address)
    return s


for name, act in tries:
    try:
        s = act()
        s.sendall(b"hello from the child")
        hit("connected " + name)
    except BaseException as exc:
        miss(name, exc)
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"hello from the child", ("127.0.0.1", A["udp"]))
    hit("udp datagram sent")
except BaseException as exc:
    miss("udp", exc)
for host, port in (("1.1.1.1", 53), ("8.8.8.8", 443), ("pypi.org", 443)):
    try:
        socket.create_connection((host, port), timeout=1)
        hit(f"connected to {host}:{port}")
    except BaseException as exc:
        miss(host, exc)
'''


def test_connect_to_listeners_on_this_machine(sandboxed, listeners):
    """TCP (v4 and v6) and UDP on loopback, a UNIX socket by path and one in the abstract
    namespace, all opened by the test; and hosts on the internet."""
    v = sandboxed.grade(
        SLUG, attack(CONNECT, ADDR=listeners.addresses), limits={"wall_s": 8, "cpu_s": 4, "memory_mb": 512}
    )
    arrived = listeners.arrivals()
    assert arrived == [], f"the child reached the test's sockets: {arrived}\n" + describe(v)
    assert_contained(v)
    assert_still_grades(sandboxed)


IO_URING = '''
import ctypes, mmap, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class URing:
    """A minimal io_uring (one submission at a time), over raw syscalls and mmap."""

    def __init__(self, entries=4):
        params = bytearray(120)
        buf = (ctypes.c_char * 120).from_buffer(params)
        fd = libc.syscall(425, entries, buf)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "io_uring_setup: " + os.strerror(ctypes.get_errno()))
        self.fd = fd
        sq_entries, cq_entries, flags, _, _, features = struct.unpack_from("6I", params, 0)
        sq_off = struct.unpack_from("7I", params, 40)  # head tail mask entries flags dropped array
        cq_off = struct.unpack_from("6I", params, 80)  # head tail mask entries overflow cqes
        self.sq_off, self.cq_off = sq_off, cq_off
        sq_size = sq_off[6] + sq_entries * 4
        cq_size = cq_off[5] + cq_entries * 16
        prot, share = mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED
        self.sq = mmap.mmap(fd, max(sq_size, cq_size), share, prot, offset=0)
        self.cq = self.sq if features & 1 else mmap.mmap(fd, cq_size, share, prot, offset=0x8000000)
        self.sqes = mmap.mmap(fd, sq_entries * 64, share, prot, offset=0x10000000)

    def submit(self, opcode, fd=0, off=0, addr=0, length=0, op_flags=0):
        sq_off = self.sq_off
        tail = struct.unpack_from("I", self.sq, sq_off[1])[0]
        mask = struct.unpack_from("I", self.sq, sq_off[2])[0]
        index = tail & mask
        sqe = struct.pack("BBHiQQIIQ", opcode, 0, 0, fd, off, addr, length, op_flags, 7).ljust(64, b"\\0")
        self.sqes[index * 64:(index + 1) * 64] = sqe
        struct.pack_into("I", self.sq, sq_off[6] + index * 4, index)
        struct.pack_into("I", self.sq, sq_off[1], tail + 1)
        n = libc.syscall(426, self.fd, 1, 1, 1, None, 0)
        if n < 0:
            raise OSError(ctypes.get_errno(), "io_uring_enter: " + os.strerror(ctypes.get_errno()))
        head = struct.unpack_from("I", self.cq, self.cq_off[0])[0]
        cmask = struct.unpack_from("I", self.cq, self.cq_off[2])[0]
        _, res, _ = struct.unpack_from("QiI", self.cq, self.cq_off[5] + (head & cmask) * 16)
        struct.pack_into("I", self.cq, self.cq_off[0], head + 1)
        if res < 0:
            raise OSError(-res, os.strerror(-res))
        return res


IORING_OP_CONNECT, IORING_OP_SOCKET = 16, 45



A = @ADDR@
try:
    ring = URing()
    hit("io_uring_setup", "the ring works, so its operations bypass the seccomp filter")
except BaseException as exc:
    ring = None
    miss("io_uring_setup", exc)
if ring is not None:
    for name, family, addr in [
        ("unix path", socket.AF_UNIX, struct.pack("H", socket.AF_UNIX) + A["unix"].encode() + b"\\0"),
        ("tcp", socket.AF_INET,
         struct.pack("H", socket.AF_INET) + struct.pack("!H4s8x", A["tcp"], socket.inet_aton("127.0.0.1"))),
    ]:
        try:
            fd = ring.submit(IORING_OP_SOCKET, fd=family, off=socket.SOCK_STREAM)
            hit("io_uring socket " + name, fd)
            buf = ctypes.create_string_buffer(addr, len(addr))
            ring.submit(IORING_OP_CONNECT, fd=fd, addr=ctypes.addressof(buf), off=len(addr))
            os.write(fd, b"hello through io_uring")
            hit("io_uring connect " + name)
        except BaseException as exc:
            miss("io_uring " + name, exc)
    try:  # and a file outside scratch, opened by the ring instead of a syscall
        path = A["unix"].rsplit("/", 1)[0] + "/via-io-uring"
        buf = ctypes.create_string_buffer(path.encode())
        fd = ring.submit(18, fd=-100, addr=ctypes.addressof(buf),  # IORING_OP_OPENAT
                         op_flags=os.O_CREAT | os.O_WRONLY, length=0o644)
        hit("io_uring openat outside scratch", fd)
    except BaseException as exc:
        miss("io_uring openat", exc)
'''


def test_bypass_the_syscall_filter_through_io_uring(sandboxed, listeners, outside):
    """io_uring runs socket, connect and openat without the seccomp filter seeing them: the ring
    itself must be refused (or the other layers must hold)."""
    v = sandboxed.grade(SLUG, attack(IO_URING, ADDR=listeners.addresses), limits=LIMITS)
    arrived = listeners.arrivals()
    assert arrived == [], f"the child reached the test's sockets through io_uring: {arrived}\n" + describe(v)
    assert not (outside / "via-io-uring").exists()
    assert_contained(v)
    assert_still_grades(sandboxed)
