"""samroi: Segment-Anything-family models on the CPU, turning clicks and boxes into polygon ROIs."""

__version__ = "0.1.0"
