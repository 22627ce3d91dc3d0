"""Plain data across the trust boundary: tensors survive exactly, nothing is unpickled, sizes are capped."""

import pickle
import socket

import pytest
import torch

from mlkatas.judge import wire


def roundtrip(value, keep_strides=False):
    blobs = []
    desc = wire.encode(value, blobs, keep_strides=keep_strides)
    return wire.decode(desc, blobs)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.int32, torch.bool, torch.uint8])
def test_tensors_roundtrip_bit_exactly(dtype):
    t = (torch.randn(3, 4, 5) * 10).to(dtype)
    back = roundtrip(t)
    assert back.dtype == dtype and back.shape == t.shape
    assert torch.equal(back, t)


def test_non_contiguous_layout_is_rebuilt_when_asked():
    t = torch.randn(4, 6).t()
    back = roundtrip(t, keep_strides=True)
    assert not back.is_contiguous() and back.stride() == t.stride() and torch.equal(back, t)
    assert roundtrip(t).is_contiguous()


def test_nested_values_and_non_finite_floats():
    value = [torch.zeros(2), (1, 2.5, float("inf"), None, "s"), [torch.ones(0, 3)]]
    back = roundtrip(value)
    assert back[1] == (1, 2.5, float("inf"), None, "s")
    assert back[2][0].shape == (0, 3)


def test_objects_travel_only_as_their_type_name():
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    back = roundtrip([Evil(), (x for x in [])])
    assert all(isinstance(b, wire.Opaque) for b in back)
    assert "Evil" in back[0].type_name and "generator" in back[1].type_name


def test_frames_over_the_limit_are_refused():
    a, b = socket.socketpair()
    with a, b:
        wire.send_frame(a, {"event": "case"}, [b"x" * 5000])
        with pytest.raises(wire.WireError, match="larger than the limit"):
            wire.recv_frame(b, 1000)


def test_a_pickle_is_not_a_frame():
    a, b = socket.socketpair()
    with a, b:
        a.sendall(len(b"junk").to_bytes(8, "big") + b"junk")
        with pytest.raises(wire.WireError):
            wire.recv_frame(b, 1 << 20)
        payload = pickle.dumps({"event": "done"})
        a.sendall(len(payload).to_bytes(8, "big") + payload)
        with pytest.raises(wire.WireError):
            wire.recv_frame(b, 1 << 20)


def test_tensor_with_wrong_byte_count_is_refused():
    blobs = [b"\x00" * 3]
    with pytest.raises(wire.WireError, match="needs 16 bytes"):
        wire.decode({"t": "tensor", "dtype": "float32", "shape": [4], "blob": 0}, blobs)
