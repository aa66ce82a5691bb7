package icy.sequence;

import java.util.EventListener;

/** Mirror of Icy 2.5's SequenceListener. */
public interface SequenceListener extends EventListener {

    void sequenceChanged(SequenceEvent sequenceEvent);

    void sequenceClosed(Sequence sequence);
}
