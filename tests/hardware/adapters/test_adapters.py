"""The real adapters against local stand-ins: an HTTP server for a camera, files for GPIO and patrol spool."""

import asyncio

import pytest

from hardware.adapters.alarm_input import AlarmInputAdapter
from hardware.adapters.base import AdapterOptionError
from hardware.adapters.camera import CameraAdapter
from hardware.adapters.patrol_reader import PatrolReaderAdapter
from hardware.adapters.registry import make_adapter


def test_camera_probe_ok_on_a_live_http_stream_and_fault_when_gone():
    async def scenario():
        async def serve(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        camera = CameraAdapter("cam-1", f"http://127.0.0.1:{port}/live/sub.ts", probe_timeout_s=2)
        alive = await camera.health()
        server.close()
        await server.wait_closed()
        gone = await camera.health()
        return alive, gone

    alive, gone = asyncio.run(scenario())
    assert alive.state == "ok" and alive.kind == "camera"
    assert gone.state == "fault" and "127.0.0.1" in gone.detail


def test_camera_url_must_be_a_stream_url():
    with pytest.raises(AdapterOptionError, match="expected rtsp://"):
        make_adapter("camera", "cam-x", {"url": "file:///dev/video0"})


def test_alarm_input_raises_one_alarm_per_press(tmp_path):
    value = tmp_path / "gpio17"
    value.write_text("0\n")
    adapter = AlarmInputAdapter("btn-gate", value, poll_s=0.01, debounce_s=0.0)
    events = []
    adapter.bind(lambda a, e: events.append((a.device_id, e.kind, e.priority)))

    async def scenario():
        await adapter.start()
        task = asyncio.create_task(adapter.run())
        await asyncio.sleep(0.05)
        value.write_text("1\n")  # pressed
        await asyncio.sleep(0.05)
        value.write_text("0\n")
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        value.unlink()
        return await adapter.health()

    health = asyncio.run(scenario())
    assert events == [("btn-gate", "alarm", "alarm")]
    assert health.state == "fault"


@pytest.mark.expect_log(r"patrol reader patrol-1: skipped malformed line")
def test_patrol_reader_reports_new_scans_and_skips_bad_lines(tmp_path):
    spool = tmp_path / "scans.csv"
    spool.write_text("gate,wang,1700000000\n")  # already reported by an earlier run
    reader = PatrolReaderAdapter("patrol-1", spool)
    events = []
    reader.bind(lambda a, e: events.append(e.details))
    asyncio.run(reader.start())
    with spool.open("a") as f:
        f.write("playground,li,1700000100\nnot a scan\ncanteen,li,17000")  # last line half-written
    assert reader.read_new_lines() == 1
    with spool.open("a") as f:
        f.write("00200\n")
    assert reader.read_new_lines() == 1
    assert [e["checkpoint"] for e in events] == ["playground", "canteen"]
    assert events[1]["scanned_at"] == 1700000200.0
