package icy.sequence;

/** Mirror of Icy 2.5's SequenceEvent (the members samroi uses; API.md section 6). */
public class SequenceEvent {

    public enum SequenceEventSourceType {
        SEQUENCE_TYPE, SEQUENCE_META, SEQUENCE_COLORMAP, SEQUENCE_COMPONENTBOUNDS, SEQUENCE_DATA, SEQUENCE_ROI,
        SEQUENCE_PAINTER, SEQUENCE_OVERLAY
    }

    public enum SequenceEventType {
        CHANGED, ADDED, REMOVED
    }

    private final Sequence sequence;
    private final SequenceEventSourceType sourceType;
    private final Object source;
    private final SequenceEventType type;

    /** How the mirror's Sequence makes its events (not part of the mirrored API). */
    SequenceEvent(Sequence sequence, SequenceEventSourceType sourceType, Object source, SequenceEventType type) {
        this.sequence = sequence;
        this.sourceType = sourceType;
        this.source = source;
        this.type = type;
    }

    public Sequence getSequence() {
        return sequence;
    }

    public SequenceEventSourceType getSourceType() {
        return sourceType;
    }

    public Object getSource() {
        return source;
    }

    public SequenceEventType getType() {
        return type;
    }
}
