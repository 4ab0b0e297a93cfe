"""`voice_frame` on the wire: accepted by the agent's decoder, strictly validated."""

import json

import pytest

from services.protocol.agent_messages import HubToAgent, VoiceFrame
from services.protocol.codec import Decoder, ProtocolError, encode, header_fields

_decoder = Decoder(*HubToAgent.__args__)


def _frame(**over):
    fields = {
        "stream_id": "S1",
        "frame_seq": 3,
        "captured_at": 1.5,
        "opus": "AAEC",
        "priority": "emergency",
        "zones": ["outdoor"],
        "drill": False,
    }
    fields.update(over)
    return fields


def test_a_voice_frame_round_trips():
    frame = VoiceFrame(**header_fields(7), **_frame(end=True))
    decoded = _decoder.decode([encode(frame)])
    assert decoded == frame and decoded.end and decoded.frame_seq == 3 and decoded.seq == 7


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"priority": "urgent"}, "priority"),
        ({"frame_seq": -1}, "frame_seq"),
        ({"opus": "A" * 1701}, "opus"),
        ({"stream_id": ""}, "stream_id"),
        ({"volume": 3}, "volume"),
        ({"drill": "no"}, "drill"),
    ],
)
def test_bad_voice_frames_are_refused_with_the_field_named(change, why):
    raw = {"v": 1, "type": "voice_frame", **header_fields(1), **_frame(**change)}
    with pytest.raises(ProtocolError, match=why):
        _decoder.decode([json.dumps(raw).encode()])


def test_zones_and_drill_are_required():
    raw = {"v": 1, "type": "voice_frame", **header_fields(1), **_frame()}
    del raw["zones"]
    with pytest.raises(ProtocolError, match="zones"):
        _decoder.decode([json.dumps(raw).encode()])
