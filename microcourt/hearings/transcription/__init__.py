"""Live transcription (issue 17, 实时转写): each publisher's audio, read from the ``.mjr`` file
Janus records while it grows (``mjr``), decoded and cut into utterances by voice activity
(``stream``), transcribed by the speech engine and written as transcript lines labelled with
the speaker's seat (``pipeline``). The worker's task (``tasks/transcription.py``) runs one
``SessionTranscriber`` per open session; docs/hearings.md, "实时转写", says how it holds up."""
