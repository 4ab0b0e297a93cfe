"""A live voice frame encoded once for many schools: each copy is the frame with its own envelope."""

from __future__ import annotations

import msgspec

from services.hub.voice_relay import FanOut
from services.protocol.agent_messages import VoiceFrame
from services.protocol.codec import Decoder, encode, header_fields


def _frame(**fields: object) -> VoiceFrame:
    values: dict[str, object] = {
        "stream_id": 'talk "1", room,seq',  # quotes and commas in the body do not confuse the splice
        "frame_seq": 41,
        "captured_at": 1795900000.25,
        "opus": "T3B1cw==",
        "priority": "emergency",
        "zones": ["outdoor", "教学楼"],
        "drill": False,
        "end": False,
        **fields,
    }
    return VoiceFrame(**values, **header_fields(0))  # type: ignore[arg-type]


def test_each_peer_gets_the_same_frame_with_its_own_sequence_and_a_unique_id() -> None:
    frame = _frame()
    fan_out = FanOut(frame)
    decoder = Decoder(VoiceFrame)
    copies = [decoder.decode([fan_out.for_peer(seq)]) for seq in (7, 8, 123456)]
    for copy, seq in zip(copies, (7, 8, 123456), strict=True):
        assert isinstance(copy, VoiceFrame)
        assert copy.seq == seq and copy.ts == frame.ts
        body = msgspec.structs.replace(copy, id=frame.id, seq=frame.seq)
        assert encode(body) == encode(frame)  # nothing but the envelope differs
    ids = {copy.id for copy in copies}
    assert len(ids) == 3 and all(i.startswith(frame.id) and len(i) <= 64 for i in ids)


def test_the_end_flag_and_a_drill_survive_the_splice() -> None:
    frame = _frame(end=True, drill=True, priority="drill")
    copy = Decoder(VoiceFrame).decode([FanOut(frame).for_peer(1)])
    assert isinstance(copy, VoiceFrame) and copy.end and copy.drill and copy.priority == "drill"
