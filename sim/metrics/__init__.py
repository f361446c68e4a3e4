"""Streaming metrics: counters, histograms and sampled backlogs whose memory does not grow
with the number of messages simulated."""
