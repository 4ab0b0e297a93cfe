"""The camera stream simulator: looping, labelled H.264 clips served live over HTTP MPEG-TS."""
