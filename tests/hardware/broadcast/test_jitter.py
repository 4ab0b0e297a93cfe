"""The jitter buffer: order restored, losses counted, late frames grow the delay."""

from hardware.broadcast.jitter import JitterBuffer


def _drain(jb, ticks):
    return [jb.pop() for _ in range(ticks)]


def test_frames_come_out_in_sequence_order_after_the_target_delay():
    jb = JitterBuffer(0.02, 0.06, 0.2)
    jb.push(1, b"b")
    jb.push(0, b"a")
    assert not jb.ready()  # 40 ms buffered, target 60 ms
    jb.push(2, b"c")
    assert jb.ready()
    jb.push(3, b"d", end=True)
    assert _drain(jb, 5) == [("frame", b"a"), ("frame", b"b"), ("frame", b"c"), ("frame", b"d"), ("end", b"")]
    assert jb.lost == 0


def test_a_missing_frame_is_lost_and_a_late_one_grows_the_delay():
    jb = JitterBuffer(0.02, 0.06, 0.2)
    for seq in (0, 2, 3):
        jb.push(seq, bytes([seq]))
    assert _drain(jb, 2) == [("frame", b"\x00"), ("lost", b"")]
    assert jb.lost == 1
    assert not jb.push(1, b"\x01")  # arrived after its slot: late
    assert jb.late == 1 and jb.target_frames == 4
    assert _drain(jb, 3) == [("hold", b""), ("frame", b"\x02"), ("frame", b"\x03")]
    assert jb.pop() == ("empty", b"")  # nothing buffered: wait in silence, nothing counted lost
    assert jb.lost == 1


def test_a_backlog_beyond_the_maximum_is_skipped_and_duplicates_ignored():
    jb = JitterBuffer(0.02, 0.06, 0.2)
    for seq in range(15):
        jb.push(seq, bytes([seq]))
    assert not jb.push(14, b"x") and jb.duplicates == 1
    kind, payload = jb.pop()
    assert kind == "frame" and payload == bytes([5]) and jb.skipped == 5  # back to 200 ms


def _steady(jb, first, count):
    """`count` ticks of a steady talker: one frame arrives, one tick plays; returns the pops."""
    out = []
    for seq in range(first, first + count):
        jb.push(seq, bytes([seq % 256]))
        out.append(jb.pop())
    return out


def test_the_delay_grown_by_a_late_frame_steps_back_after_a_calm_spell():
    jb = JitterBuffer(0.02, 0.04, 0.2, calm_s=0.2)  # 10 ticks of calm
    jb.push(0, b"\x00")
    jb.push(1, b"\x01")
    assert jb.ready() and jb.pop() == ("frame", b"\x00")
    jb.pop()  # frame 1
    jb.push(3, b"\x03")
    assert jb.pop() == ("lost", b"")  # frame 2 missing at its tick
    assert not jb.push(2, b"\x02") and jb.target_frames == 3  # late: the delay grows by a frame
    assert jb.pop() == ("hold", b"")
    pops = _steady(jb, 4, 12)
    assert [k for k, _ in pops].count("lost") == 0
    assert jb.target_frames == 2 and jb.shrunk == 1  # back at 40 ms, one frame cut to get there
    assert jb.peak_frames == 3 and jb.lost == 1


def test_a_buffer_at_its_target_is_never_cut():
    jb = JitterBuffer(0.02, 0.04, 0.2, calm_s=0.2)
    jb.push(0, b"\x00")
    pops = _steady(jb, 1, 60)
    assert all(kind == "frame" for kind, _ in pops)
    assert [p[0] for _, p in pops] == list(range(60))  # every frame, in order: nothing skipped
    assert jb.shrunk == 0 and jb.target_frames == 2
