"""The broadcast page (广播): compose and send, live delivery progress, history (issue 7)."""
