"""The hearings' media server: Janus VideoRoom (docs/janus.md).

- ``config``: the configuration directory of a Janus we run, and its kept secrets;
- ``process``: starting it (``microcourt serve``'s Supervisor, the tests) and waiting for it;
- ``client``: Django's synchronous client (rooms, tokens, kick, mute, recording);
- ``network``: the local media interface that lets media flow on one machine.
"""
