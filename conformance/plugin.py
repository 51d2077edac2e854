"""The pytest plugin: collects Rayo scenario files and runs them against a target."""
