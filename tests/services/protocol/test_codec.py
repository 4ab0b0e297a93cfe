"""The strict codec: each kind of bad frame maps to its error code; good frames round-trip."""

from __future__ import annotations

import json

import pytest

from services.protocol.agent_messages import Command, Event, Heartbeat, Hello
from services.protocol.codec import Decoder, ProtocolError, Sequencer, encode, header_fields
from services.protocol.envelope import MAX_FRAME_BYTES, ErrorCode

DECODER = Decoder(Hello, Heartbeat, Event)


def _raw(**fields: object) -> bytes:
    base: dict[str, object] = {"v": 1, "type": "heartbeat", "id": "a1", "seq": 1, "ts": 0.0}
    base.update(fields)
    return json.dumps(base).encode()


def test_round_trip_keeps_every_field():
    hello = Hello(school="S1", agent_version="1.0", pa_zones=["东楼"], **header_fields(1))
    assert DECODER.decode([encode(hello)]) == hello
    command = Command(
        command_id="c", action="ping", issued_at=1.0, expires_at=2.0, epoch=3, **header_fields(7)
    )
    assert Decoder(Command).decode([encode(command)]) == command


@pytest.mark.parametrize(
    ("frames", "code"),
    [
        ([b"nope"], ErrorCode.MALFORMED),
        ([b"{}"], ErrorCode.MALFORMED),
        ([_raw(), _raw()], ErrorCode.TOO_LARGE),
        ([b" " * (MAX_FRAME_BYTES + 1)], ErrorCode.TOO_LARGE),
        ([_raw(v=9)], ErrorCode.UNSUPPORTED_VERSION),
        ([_raw(type="command")], ErrorCode.UNKNOWN_TYPE),
        ([_raw(extra=True)], ErrorCode.MALFORMED),
        ([_raw(id="x" * 65)], ErrorCode.MALFORMED),
        ([_raw(seq="one")], ErrorCode.MALFORMED),
    ],
)
def test_bad_frames_map_to_codes(frames, code):
    with pytest.raises(ProtocolError) as info:
        DECODER.decode(frames)
    assert info.value.code is code


def test_state_allow_list_gives_out_of_state_with_the_message_id():
    with pytest.raises(ProtocolError) as info:
        DECODER.decode([_raw(id="m-42")], allowed=frozenset({"hello"}))
    assert (info.value.code, info.value.ref_id) == (ErrorCode.OUT_OF_STATE, "m-42")


def test_sequencer_counts_from_one():
    seq = Sequencer()
    assert [seq.next(), seq.next(), seq.next()] == [1, 2, 3]
