"""The fleet simulator: thousands of real school agents with simulated devices in a few processes."""
