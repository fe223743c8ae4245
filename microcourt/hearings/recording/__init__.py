"""Building the hearing's recording from what Janus wrote (录音录像规定第一条、第三条、第四条):
``convert`` finds and converts the room's ``.mjr`` files with ``janus-pp-rec``, ``compose``
lays the participants out into one video with ffmpeg, ``watermark`` makes a viewer's copy.
Every child runs at low priority within a time budget (``media``). Nothing here touches the
database: the task (tasks/recording.py) and the actions do."""
