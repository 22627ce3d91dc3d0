"""Plain data across the trust boundary: tensors survive exactly, nothing is unpickled, sizes are capped."""

import pickle
import socket

import pytest
import torch

from mlkatas.judge.protocol import messages, wire


def roundtrip(value):
    """What a child sends back (contiguous blobs), read as the judge reads it: the JSON checked
    against the protocol, then rebuilt."""
    blobs = []
    desc = wire.encode(value, blobs)
    report = {"event": "cases", "items": [{"i": 0, "ok": True, "output": desc}]}
    message = messages.decode_run_message(wire.dumps(report).encode())
    return wire.value_from_message(message.items[0].output, blobs)


def through_arena(value):
    """What the judge sends a child: one buffer, layouts kept."""
    arena = wire.Arena()
    desc = wire.encode(value, arena)
    return wire.decode(desc, wire.ArenaView(bytearray(arena.tobytes())))


@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.bfloat16, torch.int64, torch.int32, torch.bool, torch.uint8]
)
def test_tensors_roundtrip_bit_exactly(dtype):
    t = (torch.randn(3, 4, 5) * 10).to(dtype)
    back = roundtrip(t)
    assert back.dtype == dtype and back.shape == t.shape
    assert torch.equal(back, t)


@pytest.mark.parametrize("make", [
    lambda: torch.randn(4, 6).t(),
    lambda: torch.randn(3, 5, 2).permute(2, 0, 1),
    lambda: torch.arange(40, dtype=torch.int32).reshape(5, 8)[:, ::3],  # gaps between elements
    lambda: torch.randn(2, 3).to(torch.bfloat16).t(),
])
def test_arena_keeps_each_inputs_memory_layout(make):
    t = make()
    back = through_arena(t)
    assert not back.is_contiguous() and back.stride() == t.stride() and torch.equal(back, t)
    assert roundtrip(t).is_contiguous()


def test_arena_inputs_are_aligned_views_that_do_not_share_memory():
    values = [torch.randn(3, dtype=torch.float64), torch.ones(5, dtype=torch.bool), torch.arange(7, dtype=torch.int16),
              torch.zeros(0, 4), torch.randn(2, 2).t(), 3, [torch.tensor([1.5])]]
    back = through_arena(values)
    for got, want in zip(back[:5], values[:5], strict=True):
        assert torch.equal(got, want) and got.dtype == want.dtype
        assert got.data_ptr() % got.element_size() == 0  # each element at an address of its own size
    assert back[5] == 3 and torch.equal(back[6][0], values[6][0])
    back[0].add_(1)  # a write to one input leaves the others as they were
    assert all(torch.equal(g, w) for g, w in zip(back[1:5], values[1:5], strict=True))


def test_arena_refuses_a_tensor_outside_its_buffer():
    view = wire.ArenaView(bytearray(64))
    with pytest.raises(wire.WireError, match="does not fit"):
        view.tensor({"t": "tensor", "dtype": "float32", "shape": [4, 5], "at": 0})
    with pytest.raises(wire.WireError, match="does not fit"):
        view.tensor({"t": "tensor", "dtype": "float64", "shape": [2], "at": 4})  # misaligned
    with pytest.raises(wire.WireError, match="bad strides"):
        view.tensor({"t": "tensor", "dtype": "uint8", "shape": [2, 2], "stride": [-1, 1], "at": 0})


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
        wire.value_from_message(messages.TensorValue("float32", [4], 0), blobs)
