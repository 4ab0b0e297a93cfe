"""The console's side of the school network: the hub bridge, the embedded hub, the demo fleet."""
