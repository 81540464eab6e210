"""Clinical trial matching: CTML (MatchMiner's trial markup) and its match engine."""
