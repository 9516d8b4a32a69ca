"""A local Amazon SP-API + Login with Amazon emulator for tests, the demo and benchmarks.

Start one with `spapi_emulator.server.EmulatorServer` or `python -m spapi_emulator`; see
README.md beside this file. Never imported by plugins/ (it is a dev tool).
"""
