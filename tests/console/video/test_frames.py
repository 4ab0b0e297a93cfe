from __future__ import annotations

import pytest

from console.video.frames import FrameBuffer


def test_publish_picture_writes_the_back_picture_and_flips() -> None:
    buffer = FrameBuffer(4, 2)
    try:
        before = buffer.info()
        buffer.publish_picture(bytes(range(32)))
        after = buffer.info()
        assert after.counter == before.counter + 1 and after.current == 1 - before.current
        assert buffer.copy_current()[1] == bytes(range(32))
        with pytest.raises(ValueError):
            buffer.publish_picture(bytes(31))  # not a whole picture
        assert buffer.info().counter == after.counter
    finally:
        buffer.close()
