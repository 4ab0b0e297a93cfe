"""Device adapters: the agent's view of a school's cameras, PA amplifier, alarm inputs and patrol readers."""
