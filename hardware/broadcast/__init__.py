"""The school end of broadcasts and live voice: clip store, priority engine, audio outputs, voice sink."""
