"""庭审笔录: the record's PDF and its 记明情况 page (actions in ``actions/transcript*.py``)."""
