"""The alarm sources at a school against real files and sockets: contact inputs, the intrusion
panel's zones, the fire panel's line protocol over TCP, and the camera's loss and tamper alarms."""

import asyncio
import json
import logging
import socket

import pytest

from hardware.adapters.base import AdapterOptionError
from hardware.adapters.camera import CameraAdapter
from hardware.adapters.fire_panel import FirePanelAdapter
from hardware.adapters.intrusion_panel import IntrusionPanelAdapter
from hardware.adapters.registry import make_adapter


def _collect(adapter):
    events = []
    adapter.bind(lambda _a, e: events.append(e))
    return events


async def _run_briefly(adapter, actions, step_s=0.05):
    """start + run the adapter; do each action (a callable) one step apart; stop it."""
    await adapter.start()
    task = asyncio.create_task(adapter.run())
    try:
        for action in actions:
            await asyncio.sleep(step_s)
            action()
        await asyncio.sleep(step_s)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await adapter.stop()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- contact inputs -------------------------------------------------------------------------


def test_gate_button_raises_a_one_key_alarm_at_its_location(tmp_path):
    value = tmp_path / "gpio17"
    value.write_text("0\n")
    adapter = make_adapter(
        "alarm_input",
        "btn-gate",
        {"value_file": str(value), "location": "东门", "poll_s": 0.01, "debounce_s": 0},
    )
    events = _collect(adapter)
    asyncio.run(_run_briefly(adapter, [lambda: value.write_text("1\n"), lambda: value.write_text("0\n")]))
    assert [(e.kind, e.priority, e.details) for e in events] == [
        ("alarm", "alarm", {"type": "one_key", "location": "东门", "input": "btn-gate"})
    ]


def test_a_contact_input_can_be_a_fire_relay_and_defaults_its_location_to_the_device(tmp_path):
    value = tmp_path / "gpio5"
    value.write_text("1\n")  # active low: idle reads 1
    adapter = make_adapter(
        "alarm_input",
        "fire-relay",
        {
            "value_file": str(value),
            "alarm_type": "fire",
            "active_level": "0",
            "poll_s": 0.01,
            "debounce_s": 0,
        },
    )
    events = _collect(adapter)
    asyncio.run(_run_briefly(adapter, [lambda: value.write_text("0\n")]))
    assert [e.details for e in events] == [{"type": "fire", "location": "fire-relay", "input": "fire-relay"}]


def test_contact_bounce_gives_one_alarm(tmp_path):
    value = tmp_path / "gpio17"
    value.write_text("0")
    adapter = make_adapter(
        "alarm_input", "btn", {"value_file": str(value), "poll_s": 0.01, "debounce_s": 0.1}
    )
    events = _collect(adapter)

    async def scenario():
        await adapter.start()
        task = asyncio.create_task(adapter.run())
        await asyncio.sleep(0.15)  # quiet longer than the debounce time
        for level in ("1", "0", "1", "0", "1"):  # a bouncing contact: flips 20 ms apart
            value.write_text(level)
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(scenario())
    assert len(events) == 1


def test_an_unknown_alarm_type_is_refused_by_name():
    with pytest.raises(AdapterOptionError, match=r"unknown alarm type 'smoke'.*one_key"):
        make_adapter("alarm_input", "btn", {"value_file": "/dev/null", "alarm_type": "smoke"})


# --- intrusion panel ------------------------------------------------------------------------


def test_intrusion_zone_raises_only_while_armed(tmp_path):
    armed, z1, z2 = (tmp_path / n for n in ("armed", "z1", "z2"))
    armed.write_text("0")
    z1.write_text("0")
    z2.write_text("1")  # active low
    panel = make_adapter(
        "intrusion_panel",
        "intrusion-1",
        {
            "armed_file": str(armed),
            "poll_s": 0.01,
            "debounce_s": 0.0,
            "zones": [
                {"id": "z1", "value_file": str(z1), "location": "东围墙"},
                {"id": "z2", "value_file": str(z2), "active_level": "0"},
            ],
        },
    )
    events = _collect(panel)
    health = []
    asyncio.run(
        _run_briefly(
            panel,
            [
                lambda: z1.write_text("1"),  # disarmed: a teacher opening the lab door
                lambda: z1.write_text("0"),
                lambda: armed.write_text("1"),
                lambda: health.append(asyncio.get_running_loop().create_task(panel.health())),
                lambda: z2.write_text("0"),  # armed: someone at the north gate
                lambda: z1.write_text("1"),
            ],
        )
    )
    assert [e.details for e in events] == [
        {"type": "intrusion", "location": "z2", "zone": "z2"},
        {"type": "intrusion", "location": "东围墙", "zone": "z1"},
    ]
    assert all(e.kind == "alarm" and e.priority == "alarm" for e in events)
    assert health[0].result().detail == "armed"


def test_intrusion_panel_health_names_a_missing_zone(tmp_path):
    (tmp_path / "z1").write_text("0")
    panel = IntrusionPanelAdapter.from_options(
        "intrusion-1",
        {
            "zones": [
                {"id": "z1", "value_file": str(tmp_path / "z1")},
                {"id": "z9", "value_file": str(tmp_path / "z9")},
            ]
        },
    )
    status = asyncio.run(panel.health())
    assert status.state == "fault" and "z9" in status.detail and status.kind == "alarm_input"
    with pytest.raises(FileNotFoundError):
        asyncio.run(panel.start())  # the supervisor restarts it until the input is there


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        ([], r"at least one zone"),
        (["z1"], r"zone #1: expected a table"),
        ([{"id": "z1"}], r"zone #1: missing option 'value_file'"),
        ([{"id": "z1", "value_file": "/a"}, {"id": "z1", "value_file": "/b"}], r"zone #2: duplicate zone id"),
        ([{"id": "z1", "value_file": "/a", "colour": "red"}], r"zone #1: unknown option\(s\): colour"),
    ],
)
def test_intrusion_panel_options_are_checked(zones, message):
    with pytest.raises(AdapterOptionError, match=message):
        make_adapter("intrusion_panel", "intrusion-1", {"zones": zones})


# --- fire panel -----------------------------------------------------------------------------


class PanelServer:
    """A serial-to-TCP converter stand-in: sends the lines it is given to the connected agent."""

    def __init__(self):
        self.writer = None
        self.connected = asyncio.Event()
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _accept(self, _reader, writer):
        self.writer = writer
        self.connected.set()

    async def send(self, data: bytes):
        self.writer.write(data)
        await self.writer.drain()

    async def close(self):
        self.writer.close()
        self.server.close()
        await self.server.wait_closed()


@pytest.mark.expect_log(r"fire panel fire-1: skipped malformed line")
def test_fire_panel_lines_become_one_alarm_per_zone_in_alarm(caplog):
    async def scenario():
        server = PanelServer()
        port = await server.start()
        panel = make_adapter(
            "fire_panel", "fire-1", {"address": f"127.0.0.1:{port}", "zones": {"Z03": "教学楼三层"}}
        )
        events = _collect(panel)
        await panel.start()
        await asyncio.wait_for(server.connected.wait(), 5)
        task = asyncio.create_task(panel.run())
        await server.send(b"HEARTBEAT\r\nFIRE Z03\r\nFIRE Z03\r\n")  # the panel repeats itself
        await server.send("fire Z07 食堂后厨\n".encode("gb18030"))  # lower case, GB18030 text
        await server.send(b"FAULT Z09 loop open\nthe printer is out of paper\n")
        await asyncio.sleep(0.1)
        degraded = await panel.health()
        await server.send(b"CLEAR Z03\nCLEAR Z09\nFIRE Z03\n")
        await asyncio.sleep(0.1)
        healthy = await panel.health()
        await server.close()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)
        gone = await panel.health()
        await panel.stop()
        return events, degraded, healthy, task.exception(), gone

    events, degraded, healthy, ended, gone = asyncio.run(scenario())
    assert [e.details for e in events] == [
        {"type": "fire", "location": "教学楼三层", "zone": "Z03"},
        {"type": "fire", "location": "食堂后厨", "zone": "Z07"},
        {"type": "fire", "location": "教学楼三层", "zone": "Z03"},
    ]
    assert degraded.state == "degraded" and "Z09: loop open" in degraded.detail
    assert healthy.state == "ok" and "Z03" in healthy.detail
    assert isinstance(ended, ConnectionError)  # the supervisor reconnects
    assert gone.state == "fault"
    assert any("the printer is out of paper" in r.getMessage() for r in caplog.records)


def test_fire_panel_that_is_not_there_fails_the_start():
    panel = FirePanelAdapter("fire-1", "127.0.0.1", _free_port(), connect_timeout_s=2)
    with pytest.raises(OSError):
        asyncio.run(panel.start())
    assert asyncio.run(panel.health()).state == "fault"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"address": "10.0.0.40"}, r"host:port"),
        ({"address": "10.0.0.40:99999"}, r"host:port"),
        ({"address": "10.0.0.40:4001", "zones": {"Z1": 3}}, r"zone names to locations"),
    ],
)
def test_fire_panel_options_are_checked(options, message):
    with pytest.raises(AdapterOptionError, match=message):
        make_adapter("fire_panel", "fire-1", options)


# --- cameras --------------------------------------------------------------------------------


def test_camera_loss_is_raised_once_per_outage_after_n_failed_polls(caplog):
    caplog.set_level(logging.INFO)
    camera = CameraAdapter(
        "cam-3", f"http://127.0.0.1:{_free_port()}/sub", 1.0, location="东门", loss_after=3
    )
    events = _collect(camera)

    async def scenario():
        states = [(await camera.health()).state for _ in range(5)]  # nothing listens: 5 failures
        return states

    states = asyncio.run(scenario())
    assert states == ["fault"] * 5
    assert len(events) == 1
    assert events[0].kind == "alarm" and events[0].priority == "alarm"
    assert events[0].details["type"] == "camera_loss"
    assert events[0].details["camera"] == "cam-3" and events[0].details["location"] == "东门"
    assert "127.0.0.1" in events[0].details["detail"]


class CameraServer:
    """A camera's HTTP side: the stream answers HEAD, the status page answers JSON."""

    def __init__(self):
        self.status = {"video": {"tamper": False}}
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"GET /status"):
            body = json.dumps(self.status).encode()
            writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


def test_camera_tamper_from_the_status_page_once_per_episode():
    async def scenario():
        server = CameraServer()
        port = await server.start()
        camera = make_adapter(
            "camera",
            "cam-1",
            {
                "url": f"http://127.0.0.1:{port}/live/sub.ts",
                "status_url": f"http://127.0.0.1:{port}/status",
                "tamper_key": "video.tamper",
                "location": "操场",
            },
        )
        events = _collect(camera)
        states = [(await camera.health()).state]
        server.status["video"]["tamper"] = True
        states += [(await camera.health()).state for _ in range(2)]
        server.status["video"]["tamper"] = False
        states.append((await camera.health()).state)
        server.status["video"]["tamper"] = True
        states.append((await camera.health()).state)
        server.status = {"video": {}}
        broken = await camera.health()
        await server.stop()
        return events, states, broken

    events, states, broken = asyncio.run(scenario())
    assert states == ["ok", "degraded", "degraded", "ok", "degraded"]
    assert [(e.details["type"], e.details["camera"], e.details["location"]) for e in events] == [
        ("camera_tamper", "cam-1", "操场")
    ] * 2
    assert broken.state == "degraded" and "video.tamper" in broken.detail


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"status_url": "ftp://10.0.0.21/status"}, r"status_url .*expected http"),
        ({"loss_after": 0}, r"loss_after' must be at least 1"),
        ({"tamper_key": "."}, r"tamper_key"),
    ],
)
def test_camera_alarm_options_are_checked(options, message):
    with pytest.raises(AdapterOptionError, match=message):
        make_adapter("camera", "cam-1", {"url": "rtsp://10.0.0.21/stream1", **options})
